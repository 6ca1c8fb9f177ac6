package org.sparkpeft.data.clean;

import java.util.List;

import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkpeft.data.config.CleanSpec;
import org.sparkpeft.data.config.Format;
import org.sparkpeft.data.config.SourceSpec;
import org.sparkpeft.data.email.Charsets;
import org.sparkpeft.data.email.EmailText;
import org.sparkpeft.data.source.RawRows;

/**
 * Raw row to cleaned row, on executors: decodes file content (strict UTF-8 for text files, MIME for emails),
 * applies the reject rules in a fixed order (malformed, too large, invalid UTF-8, missing text, missing label,
 * empty text) and cleans and hashes the text of accepted rows. Rejected rows keep their raw text (cut to
 * {@link #REJECT_TEXT_CHARS}) for {@code rejects/}. For emails with {@code input.email-headers} the text is the
 * header lines followed by the Subject and body, and the hash (what duplicates are found by) covers the Subject and
 * body only: the same message sent to two addresses is still one example.
 */
public final class CleanRows implements Function<Row, Row> {

  public static final int REJECT_TEXT_CHARS = 10_000;
  public static final String HASH = "hash";

  /** row_id, origin, label, text, hash (null when rejected), reject, detail, input_bytes. */
  public static final StructType SCHEMA = new StructType()
      .add(RawRows.ROW_ID, DataTypes.StringType)
      .add(RawRows.ORIGIN, DataTypes.StringType)
      .add(RawRows.LABEL, DataTypes.StringType)
      .add(RawRows.TEXT, DataTypes.StringType)
      .add(HASH, DataTypes.StringType)
      .add(RawRows.REJECT, DataTypes.StringType)
      .add(RawRows.DETAIL, DataTypes.StringType)
      .add(RawRows.INPUT_BYTES, DataTypes.LongType);

  private final Format format;
  private final CleanSpec clean;
  private final long maxDocumentBytes;
  private final List<String> emailHeaders;

  public CleanRows(SourceSpec source, CleanSpec clean) {
    this.format = source.format();
    this.clean = clean;
    this.maxDocumentBytes = source.maxDocumentBytes();
    this.emailHeaders = source.emailHeaders();
  }

  @Override
  public Row call(Row raw) {
    String rowId = raw.getAs(RawRows.ROW_ID);
    String origin = raw.getAs(RawRows.ORIGIN);
    String label = raw.getAs(RawRows.LABEL);
    label = label == null ? null : label.strip();
    Long bytes = raw.getAs(RawRows.INPUT_BYTES);
    String reject = raw.getAs(RawRows.REJECT);
    String detail = raw.getAs(RawRows.DETAIL);
    String text = raw.getAs(RawRows.TEXT);
    byte[] content = raw.getAs(RawRows.CONTENT);
    if (RejectReason.MALFORMED_RECORD.code().equals(reject) && text != null && text.indexOf('\uFFFD') >= 0) {
      reject = RejectReason.INVALID_UTF8.code(); // the reader failed on bytes that are not UTF-8
      detail = detail + " (its bytes are not valid UTF-8)";
    }
    String headerLines = "";
    if (reject == null && content != null) {
      if (format == Format.EMAIL) {
        EmailText.Parts parts = EmailText.parts(content, clean.maxChars(), emailHeaders);
        text = parts.content();
        headerLines = parts.headers();
      } else {
        text = Charsets.strictUtf8(content);
        if (text == null) {
          text = new String(content, java.nio.charset.StandardCharsets.UTF_8);
          reject = RejectReason.INVALID_UTF8.code();
          detail = "the file is not valid UTF-8";
        }
      }
    }
    if (reject == null) {
      if (text == null) {
        reject = RejectReason.MISSING_TEXT.code();
        detail = "no text";
      } else if (format.tabular() && (long) text.length() * 3 > maxDocumentBytes
          && utf8Length(text) > maxDocumentBytes) {
        reject = RejectReason.TOO_LARGE.code();
        detail = "text is larger than input.max-document-bytes = " + maxDocumentBytes;
      } else if (format.tabular() && text.indexOf('\uFFFD') >= 0) {
        reject = RejectReason.INVALID_UTF8.code();
        detail = "text holds U+FFFD replacement characters: the input bytes were not valid UTF-8";
      } else if (label == null || label.isEmpty()) {
        reject = RejectReason.MISSING_LABEL.code();
        detail = label == null ? "no label" : "blank label";
      }
    }
    if (reject != null) {
      return RowFactory.create(rowId, origin, label, cut(text), null, reject, detail, bytes);
    }
    String cleaned = TextCleaner.clean(text, clean.normalization(), clean.maxChars());
    if (cleaned.isEmpty()) {
      return RowFactory.create(rowId, origin, label, cut(headerLines + text), null, RejectReason.EMPTY_TEXT.code(),
          "no text left after cleaning", bytes);
    }
    String hash = TextCleaner.sha256(cleaned);
    if (!headerLines.isEmpty()) {
      String shown = TextCleaner.clean(headerLines, clean.normalization(), clean.maxChars());
      cleaned = shown.isEmpty() ? cleaned : shown + " " + cleaned;
    }
    return RowFactory.create(rowId, origin, label, cleaned, hash, null, null, bytes);
  }

  private static String cut(String text) {
    return text == null || text.length() <= REJECT_TEXT_CHARS ? text : text.substring(0, REJECT_TEXT_CHARS);
  }

  private static long utf8Length(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
