package org.sparkpeft.data.clean;

import java.util.Locale;

/** Why an input row did not become a shard row. The codes are part of the manifest contract. */
public enum RejectReason {
  /** A CSV record or JSON line that the reader could not parse. */
  MALFORMED_RECORD,
  /** A document over input.max-document-bytes. */
  TOO_LARGE,
  /** Bytes that are not valid UTF-8 where UTF-8 is required (text files; CSV/JSONL/Parquet text with U+FFFD). */
  INVALID_UTF8,
  /** The text column is null. */
  MISSING_TEXT,
  /** The label is null or blank, or a file lies outside any label folder. */
  MISSING_LABEL,
  /** Nothing is left after cleaning (or an email without readable text). */
  EMPTY_TEXT;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
