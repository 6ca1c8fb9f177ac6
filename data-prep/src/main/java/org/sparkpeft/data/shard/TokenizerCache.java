package org.sparkpeft.data.shard;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import org.sparkpeft.tokenizer.TextTokenizer;
import org.sparkpeft.tokenizer.Truncation;

/**
 * One {@link TextTokenizer} per executor JVM and (tokenizer sha256, max length, truncation): building one parses the
 * tokenizer.json (tens of milliseconds), so tasks share it. Encoding is thread-safe. Tokenizers live as long as
 * the JVM.
 */
public final class TokenizerCache {

  private static final ConcurrentMap<String, TextTokenizer> CACHE = new ConcurrentHashMap<>();

  private TokenizerCache() {}

  public static TextTokenizer get(String id, String sha256, int maxLength, Truncation truncation,
                                  Supplier<byte[]> json) {
    return CACHE.computeIfAbsent(sha256 + "/" + maxLength + "/" + truncation, k -> {
      TextTokenizer built = TextTokenizer.fromJson(id, json.get(), maxLength, truncation);
      if (!built.sha256().equals(sha256)) {
        throw new IllegalStateException("tokenizer bytes have sha256 " + built.sha256() + ", expected " + sha256);
      }
      return built;
    });
  }

  /** How many tokenizers this JVM holds (tests check that tasks share them). */
  public static int size() {
    return CACHE.size();
  }
}
