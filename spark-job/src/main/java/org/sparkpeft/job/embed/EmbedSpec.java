package org.sparkpeft.job.embed;

import java.io.Serializable;
import java.util.Locale;

import org.sparkpeft.data.UserError;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.models.bert.layers.PoolingConf;

/**
 * What {@code embed} does, validated on construction (before Spark starts any work).
 *
 * @param input any Hadoop path of Parquet, JSONL, or CSV or TSV (with a header)
 * @param inputFormat parquet, jsonl, csv or tsv
 * @param textColumn column holding the text
 * @param idColumn column copied to the output, or null
 * @param output any Hadoop path; refused if it exists unless {@code overwrite}
 * @param outputFormat parquet or jsonl
 */
public record EmbedSpec(String input, String inputFormat, String textColumn, String idColumn, String output,
                        String outputFormat, ModelLocation model, PoolingConf.Mode pooling, int maxLength,
                        int batchSize, boolean normalize, boolean overwrite) implements Serializable {

  public EmbedSpec {
    require(input, "--input");
    require(textColumn, "--text-col");
    require(output, "--output");
    inputFormat = format(inputFormat, input, "--input-format", "parquet", "jsonl", "csv", "tsv");
    outputFormat = format(outputFormat, output, "--format", "parquet", "jsonl");
    if (maxLength < 2 || maxLength > 512) {
      throw new UserError("--max-length must be between 2 and 512, got " + maxLength + ".");
    }
    if (batchSize < 1) {
      throw new UserError("--batch-size must be >= 1, got " + batchSize + ".");
    }
  }

  private static void require(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new UserError(flag + " is required.");
    }
  }

  /** The given format, or the one the path's extension names. */
  public static String format(String given, String path, String flag, String... allowed) {
    String format = given;
    if (format == null) {
      String lower = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
      if (lower.endsWith(".parquet")) {
        format = "parquet";
      } else if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
        format = "jsonl";
      } else if (lower.endsWith(".csv")) {
        format = "csv";
      } else if (lower.endsWith(".tsv")) {
        format = "tsv";
      } else {
        throw new UserError(path + " has no .parquet/.jsonl/.csv/.tsv extension; say which it is with " + flag + ".");
      }
    }
    format = format.toLowerCase(Locale.ROOT).equals("json") ? "jsonl" : format.toLowerCase(Locale.ROOT);
    for (String ok : allowed) {
      if (ok.equals(format)) {
        return format;
      }
    }
    throw new UserError(flag + " must be one of " + String.join(", ", allowed) + ", got '" + format + "'.");
  }
}
