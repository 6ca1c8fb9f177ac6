package org.sparkpeft.data.email;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Bytes to text with the charset a message declares, honoured when Java knows it. A missing, bogus ("default",
 * "default_charset", "x-unknown") or unsupported charset falls back to UTF-8 when the bytes are valid UTF-8 and to
 * windows-1252 otherwise (the usual truth of 8-bit mail that does not say what it is).
 */
public final class Charsets {

  public static final Charset FALLBACK = Charset.forName("windows-1252");

  private Charsets() {}

  public static String decode(byte[] bytes, String declared) {
    Charset charset = lookup(declared);
    if (charset != null) {
      if (charset.equals(StandardCharsets.US_ASCII) || charset.equals(StandardCharsets.ISO_8859_1)) {
        // Mail labelled ASCII/Latin-1 is mostly windows-1252 in practice (a superset for printable text).
        charset = FALLBACK;
      }
      return new String(bytes, charset);
    }
    String utf8 = strictUtf8(bytes);
    return utf8 != null ? utf8 : new String(bytes, FALLBACK);
  }

  /** The bytes as UTF-8, or null when they are not valid UTF-8. */
  public static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The Java charset for a declared name, or null when it is missing, bogus or unsupported. */
  public static Charset lookup(String declared) {
    if (declared == null) {
      return null;
    }
    String name = declared.trim().replace("\"", "").replace("'", "");
    if (name.isEmpty()) {
      return null;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("ks_c_5601-1987")) {
      name = "x-windows-949";
    } else if (lower.equals("gb2312")) {
      name = "GBK"; // a superset, as mail clients decode it
    }
    try {
      return Charset.isSupported(name) ? Charset.forName(name) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
