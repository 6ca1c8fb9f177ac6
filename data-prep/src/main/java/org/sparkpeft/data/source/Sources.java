package org.sparkpeft.data.source;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.config.SourceSpec;

/** Reads any supported input into {@link RawRows#SCHEMA}. */
public final class Sources {

  private Sources() {}

  public static Dataset<Row> read(SparkSession spark, SourceSpec spec) {
    return spec.format().tabular() ? TabularSource.read(spark, spec) : FileSource.read(spark, spec);
  }
}
