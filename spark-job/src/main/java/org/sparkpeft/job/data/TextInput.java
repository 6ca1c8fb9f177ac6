package org.sparkpeft.job.data;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;

/**
 * A user's table of texts (Parquet, JSONL, or CSV / TSV with a header and multi-line quoted fields) for embed and
 * predict.
 */
public final class TextInput {

  private TextInput() {}

  /**
   * Reads {@code path} as {@code format} (parquet, jsonl, csv, tsv: tab-separated) and checks that it has
   * {@code columns} (null entries are skipped); one sentence naming the input otherwise.
   */
  public static Dataset<Row> read(SparkSession spark, String path, String format, String... columns) {
    Dataset<Row> input;
    try {
      input = switch (format) {
        case "parquet" -> spark.read().parquet(path);
        case "jsonl" -> spark.read().json(path);
        default -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
            .option("sep", format.equals("tsv") ? "\t" : ",").csv(path);
      };
    } catch (Exception e) {
      if (e instanceof AnalysisException analysis) {
        throw new UserError("input " + path + " cannot be read as " + format + ": "
            + analysis.getSimpleMessage().replaceAll("\\.+$", "") + ".", e);
      }
      throw e;
    }
    List<String> present = Arrays.asList(input.columns());
    for (String column : columns) {
      if (column != null && !present.contains(column)) {
        throw new UserError("input " + path + " has no column '" + column + "'; its columns are " + present + ".");
      }
    }
    return input;
  }
}
