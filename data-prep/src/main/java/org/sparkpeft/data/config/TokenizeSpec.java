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
 */
public record TokenizeSpec(String tokenizerPath, int maxLength, Truncation truncation, List<Integer> buckets)
    implements Serializable {

  public TokenizeSpec {
    tokenizerPath = tokenizerPath == null || tokenizerPath.isBlank() ? null : tokenizerPath;
    truncation = truncation == null ? Truncation.HEAD : truncation;
    if (maxLength < 2 || maxLength > 1 << 16) {
      throw new UserError("tokenizer.max-length (--max-length) must lie in [2, 65536], got " + maxLength
          + ".");
    }
    buckets = List.copyOf(bounds(buckets == null ? List.of() : buckets, maxLength));
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
