package org.sparkpeft.data.config;

import java.io.Serializable;
import java.util.List;

import org.sparkpeft.data.DataPrepException;

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
 */
public record SourceSpec(String path, Format format, String textCol, String labelCol, String idCol, CsvOptions csv,
                         String fileGlob, List<LabelRule> labelRules, long maxDocumentBytes)
    implements Serializable {

  public SourceSpec {
    if (path == null || path.isBlank()) {
      throw new DataPrepException("input.path (--input) is required.");
    }
    if (format == null) {
      throw new DataPrepException("input.format (--format) is required for " + path + ".");
    }
    if (format.tabular()) {
      requireName("input.text-col (--text-col)", textCol);
      requireName("input.label-col (--label-col)", labelCol);
      if (textCol.equals(labelCol)) {
        throw new DataPrepException("input.text-col and input.label-col must differ, both are '" + textCol + "'.");
      }
    }
    idCol = idCol == null || idCol.isBlank() ? null : idCol;
    fileGlob = fileGlob == null || fileGlob.isBlank() ? null : fileGlob;
    csv = csv == null ? CsvOptions.RFC_4180 : csv;
    labelRules = List.copyOf(labelRules == null ? List.of() : labelRules);
    if (maxDocumentBytes < 1) {
      throw new DataPrepException("input.max-document-bytes must be positive, got " + maxDocumentBytes + ".");
    }
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
      throw new DataPrepException(key + " is required for tabular input.");
    }
  }
}
