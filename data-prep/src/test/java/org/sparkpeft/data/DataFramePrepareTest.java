package org.sparkpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.testsupport.LocalSpark;

/** prepare from a DataFrame the caller holds (the Spark ML estimator's path): the same stages, every row accounted for. */
class DataFramePrepareTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("dataframe-prepare-test");
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void aDataFrameIsPreparedLikeATableWithEveryRowAccountedFor() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      rows.add(RowFactory.create("r" + i, i % 3 == 0 ? "refund please, order " + i : "app crashes on screen " + i,
          i % 3 == 0 ? "billing" : "technical"));
    }
    rows.add(RowFactory.create("r-dup", "app crashes on screen 1", "technical"));
    rows.add(RowFactory.create("r-null", null, "technical"));
    StructType schema = new StructType().add("id", DataTypes.StringType).add("body", DataTypes.StringType)
        .add("queue", DataTypes.StringType);
    Dataset<Row> df = spark.createDataFrame(rows, schema);

    PrepareResult result = PrepareJob.run(spark, PrepareFixture.config("input.path=dataframe:test",
        "input.format=parquet", "input.text-col=body", "input.label-col=queue", "input.id-col=id",
        "output.path=" + tmp.resolve("out").toUri()), df);
    Manifest.Counts c = result.manifest().counts();
    assertEquals(62, c.inputRows());
    assertEquals(62, c.inputRecords());
    assertEquals(1, c.duplicates());
    assertEquals(1, c.rejected());
    assertEquals(60, c.shardRows());
    assertTrue(c.balanced());
    assertEquals("dataframe:test", result.manifest().source().path());

    UserError missing = assertThrows(UserError.class, () -> PrepareJob.run(spark, PrepareFixture.config(
        "input.path=dataframe:test", "input.format=parquet", "input.text-col=text", "input.label-col=queue",
        "output.path=" + tmp.resolve("out2").toUri()), df));
    assertTrue(missing.getMessage().contains("has no text column 'text'"), missing.getMessage());
  }
}
