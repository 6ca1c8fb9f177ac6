package org.sparkpeft.data.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.sparkpeft.data.config.LabelRule;
import org.sparkpeft.data.config.SourceSpec;

/**
 * One document per file (text folders and raw emails), read as bytes with Spark's binaryFile source from any
 * Hadoop file system. The row id is the file's path below the input folder; the label is the name of the folder
 * holding the file, mapped by the label rules; a file directly in the input folder has no label. Files over
 * the size limit are rejected without being decoded.
 */
final class FileSource {

  private FileSource() {}

  static Dataset<Row> read(SparkSession spark, SourceSpec spec) {
    String root = InputPaths.requireExisting(spark, spec.path());
    DataFrameReader reader = spark.read().format("binaryFile").option("recursiveFileLookup", "true");
    if (spec.fileGlob() != null) {
      reader = reader.option("pathGlobFilter", spec.fileGlob());
    }
    Dataset<Row> files = reader.load(root);
    String prefix = root.endsWith("/") ? root : root + "/";
    Column path = col("path");
    Column relative = when(path.startsWith(prefix), path.substr(lit(prefix.length() + 1), length(path)))
        .otherwise(path);
    Column group = regexp_extract(relative, "([^/]+)/[^/]+$", 1);
    Column label = mapped(spec, group);
    Column tooLarge = col("length").gt(spec.maxDocumentBytes());
    return files.select(
        relative.as(RawRows.ROW_ID),
        path.as(RawRows.ORIGIN),
        when(group.notEqual(""), label).as(RawRows.LABEL),
        lit(null).cast(DataTypes.StringType).as(RawRows.TEXT),
        when(tooLarge, lit(null).cast(DataTypes.BinaryType)).otherwise(col("content")).as(RawRows.CONTENT),
        when(tooLarge, lit("too_large")).as(RawRows.REJECT),
        when(tooLarge, lit("file is larger than input.max-document-bytes = " + spec.maxDocumentBytes()))
            .as(RawRows.DETAIL),
        col("length").cast(DataTypes.LongType).as(RawRows.INPUT_BYTES));
  }

  private static Column mapped(SourceSpec spec, Column group) {
    Column label = group;
    for (int i = spec.labelRules().size() - 1; i >= 0; i--) {
      LabelRule rule = spec.labelRules().get(i);
      label = when(group.rlike(rule.regex()), lit(rule.label())).otherwise(label);
    }
    return label;
  }
}
