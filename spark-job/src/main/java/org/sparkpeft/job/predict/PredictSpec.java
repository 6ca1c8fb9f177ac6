package org.sparkpeft.job.predict;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;

import org.sparkpeft.data.UserError;
import org.sparkpeft.job.embed.EmbedSpec;
import org.sparkpeft.job.model.ModelLocation;

/**
 * What {@code predict} does, validated on construction (before Spark starts any work).
 *
 * @param adapters adapter folders (what {@code train} wrote as {@code <output>/adapter}), any Hadoop URI, at least
 *     one, all trained on {@code model}
 * @param input any Hadoop path of Parquet, JSONL, or CSV or TSV (with a header)
 * @param inputFormat parquet, jsonl, csv or tsv
 * @param textColumn the column holding the text
 * @param idColumn the column copied to the output to identify each row, or null (then the text column is copied)
 * @param output any Hadoop path, written atomically; refused if it exists unless {@code overwrite}
 * @param outputFormat parquet or jsonl
 * @param maxLength tokens per text, or null for what the adapter's training data used
 * @param truncation head, tail or head_tail, or null for what the adapter's training data used
 * @param merge score with LoRA merged into the base weights (the same predictions; the serving form)
 */
public record PredictSpec(List<String> adapters, String input, String inputFormat, String textColumn,
                          String idColumn, String output, String outputFormat, ModelLocation model, Integer maxLength,
                          String truncation, int batchSize, boolean merge, boolean overwrite) implements Serializable {

  public PredictSpec {
    if (adapters == null || adapters.isEmpty() || adapters.stream().anyMatch(a -> a == null || a.isBlank())) {
      throw new UserError("--adapter is required: one or more adapter folders, comma-separated.");
    }
    if (new LinkedHashSet<>(adapters).size() != adapters.size()) {
      throw new UserError("--adapter names the same folder twice: " + adapters + ".");
    }
    adapters = List.copyOf(adapters);
    require(input, "--input");
    require(textColumn, "--text-col");
    require(output, "--output");
    inputFormat = EmbedSpec.format(inputFormat, input, "--input-format", "parquet", "jsonl", "csv", "tsv");
    outputFormat = EmbedSpec.format(outputFormat, output, "--format", "parquet", "jsonl");
    if (batchSize < 1) {
      throw new UserError("--batch-size must be >= 1, got " + batchSize + ".");
    }
    if (maxLength != null && (maxLength < 2 || maxLength > 512)) {
      throw new UserError("--max-length must be between 2 and 512, got " + maxLength + ".");
    }
  }

  private static void require(String value, String flag) {
    if (value == null || value.isBlank()) {
      throw new UserError(flag + " is required.");
    }
  }
}
