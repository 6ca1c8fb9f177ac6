package org.sparkpeft.data.email;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One MIME entity (a whole message or one part): its headers (first occurrence of each name, unfolded) and its
 * raw body bytes. Parsing is lenient in the ways real mail needs: LF or CRLF line ends, an mbox {@code From } line,
 * parts without headers, a missing closing boundary.
 */
public final class MimeEntity {

  private final Map<String, String> headers;
  private final byte[] body;

  private MimeEntity(Map<String, String> headers, byte[] body) {
    this.headers = headers;
    this.body = body;
  }

  public static MimeEntity parse(byte[] bytes) {
    return parse(bytes, 0, bytes.length);
  }

  static MimeEntity parse(byte[] bytes, int from, int to) {
    Map<String, String> headers = new LinkedHashMap<>();
    int pos = from;
    if (startsWith(bytes, pos, to, "From ")) {
      pos = nextLine(bytes, pos, to);
    }
    String name = null;
    StringBuilder value = null;
    while (pos < to) {
      int end = lineEnd(bytes, pos, to);
      int next = nextLine(bytes, pos, to);
      if (end == pos) { // blank line: the body starts after it
        pos = next;
        break;
      }
      byte first = bytes[pos];
      if ((first == ' ' || first == '\t') && name != null) {
        value.append(' ').append(Charsets.decode(Arrays.copyOfRange(bytes, pos, end), null).trim());
      } else {
        int colon = headerColon(bytes, pos, end);
        if (colon < 0) {
          break; // not a header: the body starts here
        }
        store(headers, name, value);
        name = new String(bytes, pos, colon - pos, java.nio.charset.StandardCharsets.ISO_8859_1).trim()
            .toLowerCase(Locale.ROOT);
        value = new StringBuilder(Charsets.decode(Arrays.copyOfRange(bytes, colon + 1, end), null).trim());
      }
      pos = next;
    }
    store(headers, name, value);
    return new MimeEntity(headers, Arrays.copyOfRange(bytes, Math.min(pos, to), to));
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public byte[] body() {
    return body;
  }

  public ContentType contentType() {
    return ContentType.parse(header("content-type"));
  }

  /** The body with its Content-Transfer-Encoding undone. */
  public byte[] decodedBody() {
    return TransferDecoding.decode(body, header("content-transfer-encoding"));
  }

  /** The parts of a multipart body between its boundary lines (preamble and epilogue dropped). */
  public List<MimeEntity> parts() {
    String boundary = contentType().boundary();
    List<MimeEntity> parts = new ArrayList<>();
    if (boundary == null || boundary.isEmpty()) {
      return parts;
    }
    String delimiter = "--" + boundary;
    int partStart = -1;
    int pos = 0;
    while (pos < body.length) {
      int end = lineEnd(body, pos, body.length);
      int next = nextLine(body, pos, body.length);
      if (startsWith(body, pos, end, delimiter)) {
        boolean close = startsWith(body, pos + delimiter.length(), end, "--");
        if (partStart >= 0) {
          parts.add(parse(body, partStart, previousLineEnd(body, partStart, pos)));
        }
        if (close) {
          return parts;
        }
        partStart = next;
      }
      pos = next;
    }
    if (partStart >= 0 && partStart < body.length) {
      parts.add(parse(body, partStart, body.length)); // no closing boundary
    }
    return parts;
  }

  private static void store(Map<String, String> headers, String name, StringBuilder value) {
    if (name != null && !headers.containsKey(name)) {
      headers.put(name, value.toString());
    }
  }

  private static int headerColon(byte[] bytes, int from, int end) {
    for (int i = from; i < end; i++) {
      byte b = bytes[i];
      if (b == ':') {
        return i > from ? i : -1;
      }
      if (b <= ' ' || b >= 127) {
        return -1;
      }
    }
    return -1;
  }

  /** End of the line content (before CR LF or LF). */
  static int lineEnd(byte[] bytes, int pos, int to) {
    int i = pos;
    while (i < to && bytes[i] != '\n') {
      i++;
    }
    return i > pos && bytes[i - 1] == '\r' ? i - 1 : i;
  }

  /** Start of the next line. */
  static int nextLine(byte[] bytes, int pos, int to) {
    int i = pos;
    while (i < to && bytes[i] != '\n') {
      i++;
    }
    return Math.min(i + 1, to);
  }

  /** The part ends before the line break that precedes its closing delimiter line. */
  private static int previousLineEnd(byte[] bytes, int partStart, int delimiterLine) {
    int end = delimiterLine;
    if (end > partStart && bytes[end - 1] == '\n') {
      end--;
      if (end > partStart && bytes[end - 1] == '\r') {
        end--;
      }
    }
    return Math.max(partStart, end);
  }

  private static boolean startsWith(byte[] bytes, int pos, int to, String prefix) {
    if (to - pos < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (bytes[pos + i] != (byte) prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
