package org.sparkpeft.data.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.config.SourceSpec;
import org.sparkpeft.data.email.Charsets;

/**
 * Text files that each hold many documents separated by lines holding only {@code input.record-separator}
 * (fortune-mod's data files: one file per category, entries separated by {@code %} lines). Every record is a row;
 * its label is the file's name without its extension, mapped by the label rules; its id is the file's path below
 * the input folder and the record's first line ({@code computers:120}). A file that is not UTF-8 becomes one
 * rejected row; a record over {@code input.max-document-bytes} is rejected as too large.
 */
final class RecordFileSource {

  private RecordFileSource() {}

  static Dataset<Row> read(SparkSession spark, SourceSpec spec) {
    String root = InputPaths.requireExisting(spark, spec.path());
    DataFrameReader reader = spark.read().format("binaryFile").option("recursiveFileLookup", "true");
    if (spec.fileGlob() != null) {
      reader = reader.option("pathGlobFilter", spec.fileGlob());
    }
    String prefix = root.endsWith("/") ? root : root + "/";
    Column path = col("path");
    Column relative = when(path.startsWith(prefix), path.substr(lit(prefix.length() + 1), length(path)))
        .otherwise(path);
    JavaRDD<Row> files = reader.load(root).select(relative.as("relative"), path, col("content")).javaRDD();
    return spark.createDataFrame(files.flatMap(new Records(spec)), RawRows.SCHEMA);
  }

  /** One file's bytes to its record rows, on executors. */
  static final class Records implements FlatMapFunction<Row, Row> {

    private final SourceSpec spec;

    Records(SourceSpec spec) {
      this.spec = spec;
    }

    @Override
    public Iterator<Row> call(Row file) {
      String relative = file.getString(0);
      String origin = file.getString(1);
      byte[] content = file.getAs(2);
      String label = spec.labelForGroup(category(relative));
      List<Row> rows = new ArrayList<>();
      String text = Charsets.strictUtf8(content);
      if (text == null) {
        rows.add(RowFactory.create(relative, origin, label, new String(content, StandardCharsets.UTF_8), null,
            "invalid_utf8", "the file is not valid UTF-8", (long) content.length));
        return rows.iterator();
      }
      for (RecordSplitter.Record record : RecordSplitter.split(text, spec.recordSeparator())) {
        long bytes = record.text().getBytes(StandardCharsets.UTF_8).length;
        boolean tooLarge = bytes > spec.maxDocumentBytes();
        rows.add(RowFactory.create(relative + ":" + record.line(), origin, label, record.text(), null,
            tooLarge ? "too_large" : null,
            tooLarge ? "record is larger than input.max-document-bytes = " + spec.maxDocumentBytes() : null,
            bytes));
      }
      return rows.iterator();
    }
  }

  /** The file's name without its extension: {@code computers}, {@code a/b/law.txt} -> {@code law}. */
  static String category(String relativePath) {
    String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
