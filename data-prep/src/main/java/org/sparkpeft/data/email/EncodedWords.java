package org.sparkpeft.data.email;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** RFC 2047 encoded words in header values ({@code =?charset?B?...?=} and {@code =?charset?Q?...?=}). */
public final class EncodedWords {

  private static final Pattern WORD = Pattern.compile("=\\?([^?\\s]+)\\?([BbQq])\\?([^?\\s]*)\\?=");
  private static final Pattern BETWEEN_WORDS = Pattern.compile("(=\\?[^?\\s]+\\?[BbQq]\\?[^?\\s]*\\?=)\\s+(?==\\?)");

  private EncodedWords() {}

  public static String decode(String value) {
    if (value == null || !value.contains("=?")) {
      return value;
    }
    // whitespace between two adjacent encoded words is not part of the text
    String joined = BETWEEN_WORDS.matcher(value).replaceAll("$1");
    Matcher m = WORD.matcher(joined);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String charset = m.group(1);
      int star = charset.indexOf('*'); // RFC 2231 language suffix
      if (star >= 0) {
        charset = charset.substring(0, star);
      }
      byte[] raw = m.group(3).getBytes(StandardCharsets.ISO_8859_1);
      byte[] bytes = m.group(2).equalsIgnoreCase("B") ? TransferDecoding.base64(raw) : qWord(raw);
      m.appendReplacement(out, Matcher.quoteReplacement(Charsets.decode(bytes, charset)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static byte[] qWord(byte[] raw) {
    ByteArrayOutputStream underscores = new ByteArrayOutputStream(raw.length);
    for (byte b : raw) {
      underscores.write(b == '_' ? ' ' : b);
    }
    return TransferDecoding.quotedPrintable(underscores.toByteArray());
  }
}
