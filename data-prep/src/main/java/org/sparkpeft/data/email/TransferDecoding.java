package org.sparkpeft.data.email;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Locale;

/** Content-Transfer-Encoding decoders that never fail: what cannot be decoded is kept as it was. */
public final class TransferDecoding {

  private TransferDecoding() {}

  public static byte[] decode(byte[] body, String encoding) {
    if (encoding == null) {
      return body;
    }
    return switch (encoding.trim().toLowerCase(Locale.ROOT)) {
      case "base64" -> base64(body);
      case "quoted-printable" -> quotedPrintable(body);
      default -> body;
    };
  }

  /** Base64, ignoring line breaks and any character outside the alphabet; a truncated tail is dropped. */
  public static byte[] base64(byte[] body) {
    ByteArrayOutputStream clean = new ByteArrayOutputStream(body.length);
    for (byte b : body) {
      if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/') {
        clean.write(b);
      }
    }
    byte[] chars = clean.toByteArray();
    int usable = chars.length - chars.length % 4;
    int rest = chars.length % 4;
    byte[] padded;
    if (rest >= 2) {
      padded = new byte[usable + 4];
      System.arraycopy(chars, 0, padded, 0, chars.length);
      for (int i = chars.length; i < padded.length; i++) {
        padded[i] = '=';
      }
    } else {
      padded = java.util.Arrays.copyOf(chars, usable);
    }
    try {
      return Base64.getDecoder().decode(padded);
    } catch (IllegalArgumentException e) {
      return body;
    }
  }

  /** Quoted-printable (RFC 2045 §6.7): =XX, soft line breaks; invalid escapes are kept literally. */
  public static byte[] quotedPrintable(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    int i = 0;
    while (i < body.length) {
      byte b = body[i];
      if (b != '=') {
        out.write(b);
        i++;
        continue;
      }
      // soft line break: '=' then optional whitespace then CRLF or LF
      int j = i + 1;
      while (j < body.length && (body[j] == ' ' || body[j] == '\t')) {
        j++;
      }
      if (j < body.length && body[j] == '\r') {
        j++;
      }
      if (j < body.length && body[j] == '\n') {
        i = j + 1;
        continue;
      }
      if (j >= body.length) {
        i = body.length; // '=' (and blanks) at the very end: a soft break
        continue;
      }
      if (i + 2 < body.length && hex(body[i + 1]) >= 0 && hex(body[i + 2]) >= 0) {
        out.write(hex(body[i + 1]) * 16 + hex(body[i + 2]));
        i += 3;
      } else {
        out.write(b);
        i++;
      }
    }
    return out.toByteArray();
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    return -1;
  }
}
