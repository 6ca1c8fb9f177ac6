package org.sparkpeft.data.email;

import java.util.List;

/**
 * A raw RFC-822 message to the text a classifier should see: the Subject (RFC 2047 decoded) followed by the
 * readable body. Multipart bodies are walked (for multipart/alternative the plain-text version is preferred,
 * HTML is used when it is the only one), attached messages are included, quoted-printable and base64 are
 * decoded, declared charsets are honoured (see {@link Charsets} for the fallback), HTML is turned into text, and
 * non-text parts (images, archives) are skipped. At most {@code maxChars} characters.
 *
 * <p>Other headers are dropped unless named: {@link #parts} also renders chosen headers (From, To, ...) as
 * {@code name: value} lines, kept apart from the content so that duplicates can still be found on the content.
 */
public final class EmailText {

  /** A shown header value is cut to this many characters (a To: with hundreds of recipients stays one line). */
  public static final int HEADER_VALUE_CHARS = 200;

  private static final int MAX_DEPTH = 16;

  /**
   * A message as text.
   *
   * @param headers the named headers present in the message, one {@code name: value} line each ("" for none)
   * @param content the Subject and the readable body, at most {@code maxChars} characters
   */
  public record Parts(String headers, String content) {}

  private EmailText() {}

  /** The Subject and the readable body, at most {@code maxChars} characters. */
  public static String extract(byte[] raw, int maxChars) {
    return parts(raw, maxChars, List.of()).content();
  }

  /**
   * The top-level message's {@code headerNames} (lower case, first occurrence each, RFC 2047 decoded, whitespace
   * collapsed, cut to {@link #HEADER_VALUE_CHARS}) and its content as {@link #extract} gives it.
   */
  public static Parts parts(byte[] raw, int maxChars, List<String> headerNames) {
    MimeEntity message = MimeEntity.parse(raw);
    StringBuilder headers = new StringBuilder();
    for (String name : headerNames) {
      String value = message.header(name);
      if (value != null && !value.isBlank()) {
        String shown = EncodedWords.decode(value).replaceAll("\\s+", " ").strip();
        if (shown.length() > HEADER_VALUE_CHARS) {
          int end = Character.isHighSurrogate(shown.charAt(HEADER_VALUE_CHARS - 1)) ? HEADER_VALUE_CHARS - 1
              : HEADER_VALUE_CHARS;
          shown = shown.substring(0, end);
        }
        headers.append(name).append(": ").append(shown).append('\n');
      }
    }
    StringBuilder out = new StringBuilder();
    appendSubject(message, out);
    appendBody(message, out, maxChars, 0);
    return new Parts(headers.toString(), out.length() > maxChars ? out.substring(0, maxChars) : out.toString());
  }

  private static void appendSubject(MimeEntity entity, StringBuilder out) {
    String subject = entity.header("subject");
    if (subject != null && !subject.isBlank()) {
      out.append(EncodedWords.decode(subject).trim()).append('\n');
    }
  }

  private static void appendBody(MimeEntity entity, StringBuilder out, int maxChars, int depth) {
    if (depth > MAX_DEPTH || out.length() >= maxChars) {
      return;
    }
    ContentType type = entity.contentType();
    if (type.isMultipart()) {
      List<MimeEntity> parts = entity.parts();
      if (type.type().equals("multipart/alternative")) {
        MimeEntity best = preferred(parts);
        if (best != null) {
          appendBody(best, out, maxChars, depth + 1);
        }
      } else {
        for (MimeEntity part : parts) {
          appendBody(part, out, maxChars, depth + 1);
        }
      }
    } else if (type.isMessage()) {
      MimeEntity inner = MimeEntity.parse(entity.decodedBody());
      appendSubject(inner, out);
      appendBody(inner, out, maxChars, depth + 1);
    } else if (type.isText() || type.type().startsWith("multipart/")) {
      // a multipart without a boundary is read as plain text rather than lost
      String text = Charsets.decode(entity.decodedBody(), type.charset());
      if (type.isHtml()) {
        text = HtmlText.toText(text);
      }
      if (!text.isBlank()) {
        out.append(text.strip()).append('\n');
      }
    }
  }

  /** In multipart/alternative: the first text/plain part with text, else the first HTML one, else the last part. */
  private static MimeEntity preferred(List<MimeEntity> parts) {
    MimeEntity html = null;
    for (MimeEntity part : parts) {
      ContentType type = part.contentType();
      if (type.type().equals("text/plain") && !Charsets.decode(part.decodedBody(), type.charset()).isBlank()) {
        return part;
      }
      if (html == null && (type.isHtml() || type.isMultipart())) {
        html = part;
      }
    }
    return html != null ? html : parts.isEmpty() ? null : parts.get(parts.size() - 1);
  }
}
