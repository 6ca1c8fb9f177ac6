package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.DataPrepException;

/**
 * How CSV input is split into fields. The defaults read RFC 4180 files: comma, double quotes, a doubled quote
 * inside a quoted field.
 */
public record CsvOptions(String delimiter, String quote, String escape) implements Serializable {

  public static final CsvOptions RFC_4180 = new CsvOptions(",", "\"", "\"");

  public CsvOptions {
    single("input.csv.delimiter", delimiter);
    single("input.csv.quote", quote);
    single("input.csv.escape", escape);
  }

  private static void single(String key, String value) {
    if (value == null || value.length() != 1) {
      throw new DataPrepException(key + " must be exactly one character, got '" + value + "'.");
    }
  }
}
