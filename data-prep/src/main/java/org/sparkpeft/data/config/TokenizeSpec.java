package org.sparkpeft.data.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.sparkpeft.data.UserError;
import org.sparkpeft.tokenizer.Truncation;

/**
 * Tokenization and length buckets.
 *
 * @param tokenizerPath a tokenizer.json (or a model folder holding one) on any Hadoop FS; null = the default
 *     model's (all-MiniLM-L6-v2, bundled)
 * @param maxLength tokens per row including [CLS]/[SEP]; longer texts are truncated and counted
 * @param truncation which tokens a longer text keeps (null: {@link Truncation#HEAD})
 * @param buckets ascending bucket upper bounds in tokens; empty = powers of two from 16 up to maxLength. The last
 *     bucket always ends at maxLength.
 * @param chunking how a text longer than maxLength becomes rows: null = truncated to one row (the
 *     {@code truncation} above); else one row per window ({@link Chunking})
 */
public record TokenizeSpec(String tokenizerPath, int maxLength, Truncation truncation, List<Integer> buckets,
                           Chunking chunking) implements Serializable {

  /**
   * {@code tokenizer.long-text = chunk}: one row per window of maxLength tokens ([CLS] ... [SEP] each).
   *
   * @param overlap content tokens consecutive windows share ({@code tokenizer.chunk-overlap})
   * @param maxChunks windows per document at most ({@code tokenizer.max-chunks}); a longer document gets this many
   *     windows spread evenly over it
   */
  public record Chunking(int overlap, int maxChunks) implements Serializable {

    /** tokenizer.max-chunks's default: 16 windows of 254 content tokens (~4,000 tokens) read what clean.max-chars's
     * default 20,000 characters hold in ordinary English (~5 characters per token), at most 16x a truncated row. */
    public static final int DEFAULT_MAX_CHUNKS = 16;

    public Chunking {
      if (maxChunks < 1 || maxChunks > 10_000) {
        throw new UserError("tokenizer.max-chunks must lie in [1, 10000], got " + maxChunks + ".");
      }
      if (overlap < 0) {
        throw new UserError("tokenizer.chunk-overlap must be >= 0 tokens, got " + overlap + ".");
      }
    }

    /** tokenizer.chunk-overlap's default ({@code auto}): an eighth of max length (32 of 256), so that a sentence
     * (~25 tokens) cut by one window's end is whole in the next. */
    public static int defaultOverlap(int maxLength) {
      return maxLength / 8;
    }
  }

  public TokenizeSpec(String tokenizerPath, int maxLength, Truncation truncation, List<Integer> buckets) {
    this(tokenizerPath, maxLength, truncation, buckets, null);
  }

  public TokenizeSpec {
    tokenizerPath = tokenizerPath == null || tokenizerPath.isBlank() ? null : tokenizerPath;
    truncation = truncation == null ? Truncation.HEAD : truncation;
    if (maxLength < 2 || maxLength > 1 << 16) {
      throw new UserError("tokenizer.max-length (--max-length) must lie in [2, 65536], got " + maxLength
          + ".");
    }
    // room for content beside [CLS] and [SEP]; the tokenizer checks its own special tokens again
    if (chunking != null && chunking.overlap() >= maxLength - 2) {
      throw new UserError("tokenizer.chunk-overlap must be below tokenizer.max-length - 2 = " + (maxLength - 2)
          + " tokens, got " + chunking.overlap() + ".");
    }
    buckets = List.copyOf(bounds(buckets == null ? List.of() : buckets, maxLength));
  }

  /** Whether long texts become several rows (one per window). */
  public boolean chunked() {
    return chunking != null;
  }

  /** The bucket of a row: the smallest upper bound that holds its length (the length it is padded to). */
  public int bucketOf(int length) {
    for (int bound : buckets) {
      if (length <= bound) {
        return bound;
      }
    }
    return maxLength;
  }

  private static List<Integer> bounds(List<Integer> given, int maxLength) {
    List<Integer> out = new ArrayList<>();
    if (given.isEmpty()) {
      for (int b = 16; b < maxLength; b *= 2) {
        out.add(b);
      }
    } else {
      int previous = 0;
      for (int b : given) {
        if (b <= previous) {
          throw new UserError("tokenizer.buckets must be ascending positive token counts, got " + given + ".");
        }
        previous = b;
        if (b < maxLength) {
          out.add(b);
        }
      }
    }
    out.add(maxLength);
    return out;
  }
}
