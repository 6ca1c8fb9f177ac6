package org.sparkpeft.data.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.sparkpeft.data.UserError;

/**
 * Where the raw task data is and how to read it.
 *
 * @param path any Hadoop URI or local path (a file, a folder, or a glob)
 * @param format the input kind
 * @param textCol the text column (tabular formats)
 * @param labelCol the label column (tabular formats)
 * @param idCol an optional id column (tabular formats); null gives content-derived ids
 * @param csv CSV field syntax
 * @param fileGlob only files whose name matches (e.g. {@code *.txt}); null reads every file
 * @param labelRules folder-name to label mapping for file sources
 * @param maxDocumentBytes a document (file, or text value) larger than this is rejected as too large
 * @param emailHeaders email headers (lower case) shown as {@code name: value} lines before the Subject and body;
 *     duplicates are still found on the Subject and body alone
 * @param recordSeparator records format: a line holding only this (e.g. {@code %}) ends a record
 */
public record SourceSpec(String path, Format format, String textCol, String labelCol, String idCol, CsvOptions csv,
                         String fileGlob, List<LabelRule> labelRules, long maxDocumentBytes, List<String> emailHeaders,
                         String recordSeparator)
    implements Serializable {

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]+");

  public SourceSpec {
    if (path == null || path.isBlank()) {
      throw new UserError("input.path (--input) is required.");
    }
    if (format == null) {
      throw new UserError("input.format (--format) is required for " + path + ".");
    }
    if (format.tabular()) {
      requireName("input.text-col (--text-col)", textCol);
      requireName("input.label-col (--label-col)", labelCol);
      if (textCol.equals(labelCol)) {
        throw new UserError("input.text-col and input.label-col must differ, both are '" + textCol + "'.");
      }
    }
    idCol = idCol == null || idCol.isBlank() ? null : idCol;
    fileGlob = fileGlob == null || fileGlob.isBlank() ? null : fileGlob;
    csv = csv == null ? CsvOptions.RFC_4180 : csv;
    labelRules = List.copyOf(labelRules == null ? List.of() : labelRules);
    if (maxDocumentBytes < 1) {
      throw new UserError("input.max-document-bytes must be positive, got " + maxDocumentBytes + ".");
    }
    emailHeaders = emailHeaders(emailHeaders, format);
    recordSeparator = recordSeparator == null ? "" : recordSeparator.strip();
    if (format == Format.RECORDS && recordSeparator.isEmpty()) {
      throw new UserError("input.record-separator must name the line that separates records (e.g. %) for "
          + "input.format records.");
    }
  }

  private static List<String> emailHeaders(List<String> names, Format format) {
    List<String> out = new ArrayList<>();
    for (String name : names == null ? List.<String>of() : names) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      if (n.endsWith(":")) {
        n = n.substring(0, n.length() - 1);
      }
      if (!HEADER_NAME.matcher(n).matches()) {
        throw new UserError("input.email-headers: '" + name + "' is not a header name (e.g. from, to).");
      }
      if (n.equals("subject")) {
        throw new UserError("input.email-headers: the Subject is always part of an email's text; list "
            + "other headers (e.g. from, to).");
      }
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    if (!out.isEmpty() && format != Format.EMAIL) {
      throw new UserError("input.email-headers applies to input.format email, not " + format.key() + ".");
    }
    return List.copyOf(out);
  }

  /** The label for a folder name under the label rules. */
  public String labelForGroup(String group) {
    for (LabelRule rule : labelRules) {
      if (rule.matches(group)) {
        return rule.label();
      }
    }
    return group;
  }

  private static void requireName(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new UserError(key + " is required for tabular input.");
    }
  }
}
