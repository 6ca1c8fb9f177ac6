package org.sparkpeft.data.source;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.config.Format;
import org.sparkpeft.data.config.SourceSpec;

/** Reads any supported input into {@link RawRows#SCHEMA}. */
public final class Sources {

  private Sources() {}

  /** Spark's default cost of opening a file (4 MB) packs only ~32 small files into a task; documents are small. */
  static final String OPEN_COST = "spark.sql.files.openCostInBytes";
  static final long DOCUMENT_OPEN_COST = 64 * 1024;

  /**
   * {@code input}, a DataFrame the caller holds, as {@link RawRows#SCHEMA} rows: {@code spec}'s text, label and id
   * columns mapped as for a table read from files; {@code origin} names it in rejects and messages.
   */
  public static Dataset<Row> fromDataFrame(SourceSpec spec, Dataset<Row> input, String origin) {
    return TabularSource.fromDataFrame(spec, input, origin);
  }

  public static Dataset<Row> read(SparkSession spark, SourceSpec spec) {
    if (spec.format().tabular()) {
      return TabularSource.read(spark, spec);
    }
    return spec.format() == Format.RECORDS ? RecordFileSource.read(spark, spec) : FileSource.read(spark, spec);
  }

  /**
   * The input as an RDD of {@link RawRows#SCHEMA} rows. For file sources the plan is made with a small file open
   * cost, so that thousands of small documents become a few tasks per core rather than hundreds of tiny ones; the
   * session's own setting is restored afterwards.
   */
  public static JavaRDD<Row> readRdd(SparkSession spark, SourceSpec spec) {
    if (spec.format().tabular()) {
      return read(spark, spec).javaRDD();
    }
    scala.Option<String> previous = spark.conf().getOption(OPEN_COST);
    spark.conf().set(OPEN_COST, DOCUMENT_OPEN_COST);
    try {
      return read(spark, spec).javaRDD(); // plans the scan now, with the setting above
    } finally {
      if (previous.isDefined()) {
        spark.conf().set(OPEN_COST, previous.get());
      } else {
        spark.conf().unset(OPEN_COST);
      }
    }
  }
}
