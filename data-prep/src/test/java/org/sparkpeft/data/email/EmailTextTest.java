package org.sparkpeft.data.email;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class EmailTextTest {

  private static byte[] mail(String headersAndBody) {
    return headersAndBody.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(String raw) {
    return EmailText.extract(mail(raw), 100_000);
  }

  @Test
  void subjectIsKeptAndOtherHeadersAreDropped() {
    String t = text("From alice@example.com  Mon Sep 23 12:00:00 2002\n"
        + "Return-Path: <alice@example.com>\nReceived: from mx by example.com\n"
        + "Subject: Lunch\n  tomorrow?\nX-Spam: no\n\nSee you at noon.\n");
    assertEquals("Lunch tomorrow?\nSee you at noon.\n", t);
    assertFalse(t.contains("Return-Path") || t.contains("example.com") || t.contains("X-Spam"), t);
  }

  @Test
  void namedHeadersAreShownApartFromTheContent() {
    byte[] raw = mail("From: =?iso-8859-1?Q?Ren=E9?= <rene@example.com>\nTo: list@example.org,\n  bob@example.org\n"
        + "Cc: " + "x".repeat(300) + "\nSubject: Lunch\nX-Mailer: mutt\n\n"
        + "Content-Type: message/rfc822\n\nFrom: inner@example.com\n\nnot a header of the message\n");
    EmailText.Parts parts = EmailText.parts(raw, 100_000, List.of("from", "to", "cc", "reply-to"));
    assertEquals("from: René <rene@example.com>\nto: list@example.org, bob@example.org\ncc: " + "x".repeat(200)
        + "\n", parts.headers()); // absent Reply-To: no line; long values are cut
    assertEquals(EmailText.extract(raw, 100_000), parts.content());
    assertEquals("", EmailText.parts(raw, 100_000, List.of()).headers());
  }

  @Test
  void encodedWordSubjectsAreDecoded() {
    String t = text("Subject: =?iso-8859-1?Q?Caf=E9_cr=E8me?= =?UTF-8?B?4pyTIG9r?=\n\nbody\n");
    assertTrue(t.startsWith("Café crème✓ ok\n"), t);
  }

  @Test
  void quotedPrintableIsDecodedWithTheDeclaredCharset() {
    String t = text("Subject: qp\nContent-Type: text/plain; charset=\"iso-8859-1\"\n"
        + "Content-Transfer-Encoding: quoted-printable\n\nna=EFve caf=E9 with a soft=\n break, =3D sign\n");
    assertTrue(t.contains("naïve café with a soft break, = sign"), t);
  }

  @Test
  void base64PartsAreDecoded() {
    String body = java.util.Base64.getMimeEncoder().encodeToString("Grüße aus Köln".getBytes(StandardCharsets.UTF_8));
    String t = text("Subject: b64\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + body + "\n");
    assertTrue(t.contains("Grüße aus Köln"), t);
  }

  @Test
  void declaredCharsetsAreHonouredForEightBitBodies() throws Exception {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.write("Subject: ru\nContent-Type: text/plain; charset=koi8-r\n\n".getBytes(StandardCharsets.US_ASCII));
    raw.write("Привет мир".getBytes(Charset.forName("KOI8-R")));
    assertTrue(EmailText.extract(raw.toByteArray(), 1000).contains("Привет мир"));
  }

  @Test
  void bogusCharsetsFallBackToWindows1252UnlessTheBytesAreUtf8() throws Exception {
    ByteArrayOutputStream latin = new ByteArrayOutputStream();
    latin.write("Subject: x\nContent-Type: text/plain; charset=default\n\n".getBytes(StandardCharsets.US_ASCII));
    latin.write("\u201cquoted\u201d caf\u00e9".getBytes(Charset.forName("windows-1252")));
    assertTrue(EmailText.extract(latin.toByteArray(), 1000).contains("\u201cquoted\u201d café"));

    ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
    utf8.write("Subject: x\nContent-Type: text/plain; charset=default_charset\n\n".getBytes(StandardCharsets.US_ASCII));
    utf8.write("日本語".getBytes(StandardCharsets.UTF_8));
    assertTrue(EmailText.extract(utf8.toByteArray(), 1000).contains("日本語"));
  }

  @Test
  void aContentTypeWithoutSemicolonStillNamesItsCharset() {
    assertEquals("iso-8859-2", ContentType.parse("text/plain charset=iso-8859-2").charset());
    assertEquals("b1", ContentType.parse("multipart/mixed;\n boundary=\"b1\"").boundary());
    assertEquals("text/plain", ContentType.parse(null).type());
  }

  @Test
  void htmlBecomesTextWithoutScriptsOrStyles() {
    String t = text("Subject: offer\nContent-Type: text/html\n\n<html><head><style>p{color:red}</style></head>"
        + "<body><p>Buy&nbsp;now &amp; save</p><script>alert(1)</script><br>50%</body></html>\n");
    assertTrue(t.contains("Buy now & save"), t);
    assertTrue(t.contains("50%"), t);
    assertFalse(t.contains("color") || t.contains("alert") || t.contains("<p>"), t);
  }

  @Test
  void multipartAlternativePrefersPlainTextAndMixedPartsAreWalked() {
    String raw = "Subject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n"
        + "preamble is dropped\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
        + "--inner\nContent-Type: text/plain\n\nplain version\n--inner\nContent-Type: text/html\n\n<b>html version</b>\n"
        + "--inner--\n--outer\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        + "--outer\nContent-Type: message/rfc822\n\nSubject: forwarded\n\ninner message body\n--outer--\nepilogue\n";
    String t = text(raw);
    assertTrue(t.contains("plain version"), t);
    assertFalse(t.contains("html version"), t);
    assertFalse(t.contains("preamble") || t.contains("epilogue") || t.contains("iVBOR"), t);
    assertTrue(t.contains("forwarded\ninner message body"), t);
  }

  @Test
  void htmlOnlyAlternativesAndMissingClosingBoundariesAreRead() {
    String raw = "Subject: s\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
        + "\r\n   \r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>only html</p>\r\n";
    assertTrue(text(raw).contains("only html"), text(raw));
  }

  @Test
  void theCharacterCapHolds() {
    String t = EmailText.extract(mail("Subject: long\n\n" + "word ".repeat(10_000)), 500);
    assertEquals(500, t.length());
  }

  @Test
  void garbageIsNotAnError() {
    assertEquals("", EmailText.extract(new byte[0], 100));
    assertTrue(EmailText.extract(mail("no headers at all, just text"), 100).contains("just text"));
    assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFE},
        TransferDecoding.quotedPrintable("=FF=fe".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("=ZZ", new String(TransferDecoding.quotedPrintable("=ZZ".getBytes(StandardCharsets.US_ASCII)),
        StandardCharsets.US_ASCII));
  }
}
