package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.UserError;

/**
 * How CSV input is split into fields. The defaults read RFC 4180 files: comma, double quotes, a doubled quote
 * inside a quoted field.
 *
 * @param delimiter the field delimiter
 * @param quote the quote character
 * @param escape the character that makes a quote inside a quoted field text (the quote itself: a doubled quote)
 * @param maxQuotedLines a quoted field spanning more physical lines than this stops the job as a quote that was
 *     most likely never closed (it would swallow the records after it)
 */
public record CsvOptions(String delimiter, String quote, String escape, long maxQuotedLines) implements Serializable {

  public static final long DEFAULT_MAX_QUOTED_LINES = 1000;

  public static final CsvOptions RFC_4180 = new CsvOptions(",", "\"", "\"");

  public CsvOptions {
    single("input.csv.delimiter", delimiter);
    single("input.csv.quote", quote);
    single("input.csv.escape", escape);
    if (maxQuotedLines < 1) {
      throw new UserError("input.csv.max-quoted-lines must be positive, got " + maxQuotedLines + ".");
    }
  }

  /** The given field syntax with the default limit on quoted lines. */
  public CsvOptions(String delimiter, String quote, String escape) {
    this(delimiter, quote, escape, DEFAULT_MAX_QUOTED_LINES);
  }

  private static void single(String key, String value) {
    if (value == null || value.length() != 1) {
      throw new UserError(key + " must be exactly one character, got '" + value + "'.");
    }
  }
}
