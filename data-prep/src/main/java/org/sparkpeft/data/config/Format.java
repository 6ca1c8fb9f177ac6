package org.sparkpeft.data.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.sparkpeft.data.UserError;

/** The kinds of input the prepare job reads. */
public enum Format {
  /** Delimited text with a header line; quoted fields may span lines. */
  CSV,
  /** One JSON object per line. */
  JSONL,
  /** Parquet files (any columns; text and label are named). */
  PARQUET,
  /** Folders of text files, one document per file; the label is the folder name. */
  TEXTDIR,
  /** Raw RFC-822 messages, one per file; the label is the folder (group) name, optionally mapped. */
  EMAIL,
  /**
   * Text files holding many documents each, separated by lines holding only {@code input.record-separator}
   * (fortune-mod's data files); the label is the file name without its extension, optionally mapped.
   */
  RECORDS;

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean tabular() {
    return this == CSV || this == JSONL || this == PARQUET;
  }

  public static Format parse(String value) {
    for (Format f : values()) {
      if (f.key().equalsIgnoreCase(value.trim())) {
        return f;
      }
    }
    throw new UserError("input.format (--format) must be one of "
        + Arrays.stream(values()).map(Format::key).collect(Collectors.joining(", ")) + ", got '" + value + "'"
        + (value.trim().equalsIgnoreCase("tsv") ? " (a TSV is csv with input.csv.delimiter=\\t)." : "."));
  }
}
