package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.UserError;

/**
 * How CSV input is split into fields. The defaults read RFC 4180 files: comma, double quotes, a doubled quote
 * inside a quoted field. Each character may be written as an escape, as Spark's own CSV {@code sep} option takes
 * it: backslash-t for a tab (a key=value argument cannot carry a bare tab: its value is trimmed), two backslashes
 * for one, and backslash-u with four hex digits for any character (u0001: Hive's default field delimiter).
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
    delimiter = single("input.csv.delimiter", delimiter);
    quote = single("input.csv.quote", quote);
    escape = single("input.csv.escape", escape);
    if (maxQuotedLines < 1) {
      throw new UserError("input.csv.max-quoted-lines must be positive, got " + maxQuotedLines + ".");
    }
  }

  /** The given field syntax with the default limit on quoted lines. */
  public CsvOptions(String delimiter, String quote, String escape) {
    this(delimiter, quote, escape, DEFAULT_MAX_QUOTED_LINES);
  }

  /** The one character {@code value} names, itself or as an escape; a {@link UserError} naming the key if none. */
  private static String single(String key, String value) {
    String c = value == null ? null : unescape(value);
    if (c == null || c.length() != 1) {
      throw new UserError(key + " must be exactly one character (a tab as \\t, any character as \\uXXXX), got '"
          + value + "'.");
    }
    return c;
  }

  private static String unescape(String value) {
    if (value.equals("\\t")) {
      return "\t";
    }
    if (value.equals("\\\\")) {
      return "\\";
    }
    if (value.length() == 6 && value.startsWith("\\u")) {
      try {
        return String.valueOf((char) Integer.parseInt(value.substring(2), 16));
      } catch (NumberFormatException e) {
        return value;
      }
    }
    return value;
  }
}
