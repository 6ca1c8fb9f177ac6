package org.sparkpeft.data.clean;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.sparkpeft.data.config.Normalization;

/**
 * The text every later stage sees: Unicode-normalised, control and format characters dropped, every run of
 * whitespace (any Unicode space, line or paragraph separator) collapsed to one space, trimmed, and cut to a
 * character cap. Exact duplicates are found by the SHA-256 of this text.
 */
public final class TextCleaner {

  private static final Pattern INVISIBLE = Pattern.compile("[\\p{Cf}&&[^\\u200D]]");
  private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\t\\n\\r\\f\\u000B]]");
  private static final Pattern WHITESPACE = Pattern.compile("[\\s\\p{Z}\\u0085\\u180E]+",
      Pattern.UNICODE_CHARACTER_CLASS);

  private TextCleaner() {}

  public static String clean(String text, Normalization normalization, int maxChars) {
    String t = normalization.apply(text);
    t = INVISIBLE.matcher(t).replaceAll("");
    t = CONTROL.matcher(t).replaceAll(" ");
    t = WHITESPACE.matcher(t).replaceAll(" ").strip();
    if (t.length() > maxChars) {
      int end = maxChars;
      if (Character.isHighSurrogate(t.charAt(end - 1))) {
        end--; // never split a surrogate pair
      }
      t = t.substring(0, end).strip();
    }
    return t;
  }

  /** Hex SHA-256 of the text's UTF-8 bytes. */
  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
