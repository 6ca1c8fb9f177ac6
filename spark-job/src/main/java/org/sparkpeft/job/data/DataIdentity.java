package org.sparkpeft.job.data;

import java.util.Locale;

/**
 * What prepared data holds, by content rather than by path: a digest of its {@code manifest.json} (the raw input's
 * path, the prepare settings, the tokenizer's sha256, the counts) and {@code label_map.json}, and of every split's
 * rows (row id, label and token ids, hashed per row and summed, so the digest does not depend on how Spark stored or
 * reads them). Two folders with the same digest train the same run; a checkpoint remembers the digest of the data it
 * was trained on, and a resume on other data is refused.
 *
 * @param path where the data was read (for messages only; not part of the identity)
 * @param source the raw input the manifest names, or "unknown" without a manifest (for messages only)
 * @param rows shard rows over all splits
 * @param sha256 the content digest
 */
public record DataIdentity(String path, String source, long rows, String sha256) {

  /** Whether both name the same content. */
  public boolean sameContent(DataIdentity other) {
    return other != null && sha256.equals(other.sha256) && rows == other.rows;
  }

  /** "PATH (from SOURCE, N rows, content sha256 abcdef012345)". */
  public String describe() {
    return String.format(Locale.ROOT, "%s (from %s, %,d rows, content sha256 %s)", path, source, rows,
        sha256.substring(0, Math.min(12, sha256.length())));
  }
}
