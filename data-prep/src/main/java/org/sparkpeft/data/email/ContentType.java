package org.sparkpeft.data.email;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MIME Content-Type value, read leniently: a missing value means text/plain, parameters are found even when a
 * separator is missing (real mail has {@code text/plain charset=us-ascii}), quotes are optional.
 *
 * @param type lower-case "type/subtype"
 * @param charset the declared charset as written, or null
 * @param boundary the multipart boundary, or null
 */
public record ContentType(String type, String charset, String boundary) {

  private static final Pattern TYPE = Pattern.compile("^\\s*([A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+)");
  private static final Pattern CHARSET =
      Pattern.compile("(?i)\\bcharset\\s*=\\s*(\"([^\"]*)\"|'([^']*)'|([^\\s;\"']+))");
  private static final Pattern BOUNDARY = Pattern.compile("(?i)\\bboundary\\s*=\\s*(\"([^\"]*)\"|([^\\s;\"]+))");

  public static final ContentType TEXT_PLAIN = new ContentType("text/plain", null, null);

  public static ContentType parse(String value) {
    if (value == null || value.isBlank()) {
      return TEXT_PLAIN;
    }
    Matcher type = TYPE.matcher(value);
    String mime = type.find() ? type.group(1).toLowerCase(Locale.ROOT) : "text/plain";
    return new ContentType(mime, firstGroup(CHARSET.matcher(value)), firstGroup(BOUNDARY.matcher(value)));
  }

  public boolean isMultipart() {
    return type.startsWith("multipart/") && boundary != null && !boundary.isEmpty();
  }

  public boolean isText() {
    return type.startsWith("text/");
  }

  public boolean isHtml() {
    return type.equals("text/html");
  }

  public boolean isMessage() {
    return type.equals("message/rfc822");
  }

  private static String firstGroup(Matcher m) {
    if (!m.find()) {
      return null;
    }
    for (int g = 2; g <= m.groupCount(); g++) {
      if (m.group(g) != null) {
        return m.group(g).trim();
      }
    }
    return null;
  }
}
