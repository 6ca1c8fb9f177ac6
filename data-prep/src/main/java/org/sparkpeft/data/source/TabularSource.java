package org.sparkpeft.data.source;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.Format;
import org.sparkpeft.data.config.SourceSpec;

/**
 * CSV, JSONL and Parquet through Spark's readers. Malformed CSV/JSON lines are kept (PERMISSIVE mode) and
 * rejected as {@code malformed_record}; named columns are checked against the input's columns first.
 */
final class TabularSource {

  static final String CORRUPT = "_corrupt_record";

  private TabularSource() {}

  static Dataset<Row> read(SparkSession spark, SourceSpec spec) {
    String path = InputPaths.requireExisting(spark, spec.path());
    Dataset<Row> df;
    try {
      df = switch (spec.format()) {
        case CSV -> csv(spark, spec, path);
        case JSONL -> jsonl(spark, spec, path);
        case PARQUET -> checked(spec, path, globbed(spark.read(), spec).parquet(path));
        default -> throw new IllegalArgumentException("not a tabular format: " + spec.format());
      };
    } catch (UserError e) {
      throw e;
    } catch (Exception e) { // Spark's AnalysisException or (undeclared) SparkException while reading the schema
      throw new UserError("input " + path + " cannot be read as " + spec.format().key() + ": "
          + firstLine(e) + ".", e);
    }
    return rows(spec, df, input_file_name());
  }

  /**
   * A DataFrame the caller already has (the Spark ML estimator's input), as {@link RawRows#SCHEMA} rows: the same
   * column mapping as a file source, with {@code origin} as every row's origin.
   */
  static Dataset<Row> fromDataFrame(SourceSpec spec, Dataset<Row> df, String origin) {
    requireColumns(spec, origin, df.schema());
    return rows(spec, df, lit(origin));
  }

  private static Dataset<Row> rows(SourceSpec spec, Dataset<Row> df, Column origin) {
    boolean hasCorrupt = Arrays.asList(df.columns()).contains(CORRUPT);
    Column text = col(quoted(spec.textCol())).cast(DataTypes.StringType);
    Column label = col(quoted(spec.labelCol())).cast(DataTypes.StringType);
    Column corrupt = hasCorrupt ? col(CORRUPT) : lit(null).cast(DataTypes.StringType);
    Column derivedId = concat(regexp_extract(origin, "[^/]*$", 0), lit(":"),
        substring(sha2(concat_ws("\u0001", coalesce(text, lit("")), coalesce(label, lit("")),
            coalesce(corrupt, lit(""))), 256), 1, 16));
    Column rowId = spec.idCol() == null ? derivedId
        : coalesce(col(quoted(spec.idCol())).cast(DataTypes.StringType), derivedId);
    String what = spec.format() == Format.CSV ? "malformed CSV record" : "malformed JSON line";
    return df.select(
        rowId.as(RawRows.ROW_ID),
        origin.as(RawRows.ORIGIN),
        label.as(RawRows.LABEL),
        when(corrupt.isNotNull(), corrupt).otherwise(text).as(RawRows.TEXT),
        lit(null).cast(DataTypes.BinaryType).as(RawRows.CONTENT),
        when(corrupt.isNotNull(), lit("malformed_record")).as(RawRows.REJECT),
        when(corrupt.isNotNull(), lit(what)).as(RawRows.DETAIL),
        coalesce(octet_length(coalesce(corrupt, text)), lit(0)).plus(coalesce(octet_length(label), lit(0)))
            .cast(DataTypes.LongType).as(RawRows.INPUT_BYTES));
  }

  private static Dataset<Row> csv(SparkSession spark, SourceSpec spec, String path) {
    DataFrameReader reader = globbed(spark.read(), spec)
        .option("header", "true")
        .option("multiLine", "true")
        .option("encoding", "UTF-8")
        .option("delimiter", spec.csv().delimiter())
        .option("quote", spec.csv().quote())
        .option("escape", spec.csv().escape())
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT);
    StructType header = reader.csv(path).schema(); // the header line, every column a string
    requireColumns(spec, path, header);
    return reader.schema(header.add(CORRUPT, DataTypes.StringType)).csv(path);
  }

  private static Dataset<Row> jsonl(SparkSession spark, SourceSpec spec, String path) {
    Dataset<Row> df = globbed(spark.read(), spec)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .option("encoding", "UTF-8")
        .json(path);
    return checked(spec, path, df);
  }

  /** {@code input.file-glob}: only files whose name matches are read from a folder. */
  private static DataFrameReader globbed(DataFrameReader reader, SourceSpec spec) {
    return spec.fileGlob() == null ? reader : reader.option("pathGlobFilter", spec.fileGlob());
  }

  static void requireColumns(SourceSpec spec, String path, StructType schema) {
    List<String> columns = Arrays.stream(schema.fieldNames()).filter(c -> !c.equals(CORRUPT)).toList();
    if (columns.isEmpty()) {
      throw new UserError("input " + path + " is empty (no " + spec.format().key() + " records).");
    }
    for (String[] named : new String[][] {
        {"text column", spec.textCol()}, {"label column", spec.labelCol()}, {"id column", spec.idCol()}}) {
      if (named[1] != null && !columns.contains(named[1])) {
        throw new UserError(spec.format().key().toUpperCase(java.util.Locale.ROOT) + " input " + path + " has no " + named[0]
            + " '" + named[1] + "' (its columns: " + String.join(", ", columns) + ").");
      }
    }
  }

  private static Dataset<Row> checked(SourceSpec spec, String path, Dataset<Row> df) {
    requireColumns(spec, path, df.schema());
    return df;
  }

  private static String firstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    return message.lines().findFirst().orElse(message).strip();
  }

  private static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
