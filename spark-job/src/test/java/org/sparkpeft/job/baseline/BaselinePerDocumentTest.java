package org.sparkpeft.job.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.testsupport.LocalSpark;

/** The baseline's per-document scoring of chunked data, computed by hand on a tiny example. */
class BaselinePerDocumentTest {

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("baseline-per-document");
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void aDocumentIsPredictedFromTheMeanOfItsWindowsProbabilities() {
    StructType schema = new StructType()
        .add(TfidfBaseline.DOCUMENT, DataTypes.StringType)
        .add(ShardSchema.LABEL, DataTypes.IntegerType)
        .add("probability", SQLDataTypes.VectorType());
    List<Row> rows = List.of(
        // a: windows say 2, 0, 0 (majority 0) but the mean is (0.3, 0.1, 0.6)+(0.5, 0.4, 0.1)+(0.45, 0.1, 0.45)
        // = (1.25, 0.6, 1.15) / 3: class 0
        RowFactory.create("a", 0, Vectors.dense(0.3, 0.1, 0.6)),
        RowFactory.create("a", 0, Vectors.dense(0.5, 0.4, 0.1)),
        RowFactory.create("a", 0, Vectors.dense(0.45, 0.1, 0.45)),
        // b: (0.1, 0.8, 0.1) + (0.6, 0.1, 0.3) = (0.7, 0.9, 0.4) / 2: class 1, although the second window says 0
        RowFactory.create("b", 2, Vectors.dense(0.1, 0.8, 0.1)),
        RowFactory.create("b", 2, Vectors.dense(0.6, 0.1, 0.3)),
        // c: one window, class 2
        RowFactory.create("c", 2, Vectors.dense(0.2, 0.3, 0.5)));
    Map<String, Double> predicted = new TreeMap<>();
    for (Row r : TfidfBaseline.perDocument(spark.createDataFrame(rows, schema)).collectAsList()) {
      predicted.put(r.getString(r.fieldIndex(ShardSchema.ROW_ID)), r.getDouble(r.fieldIndex(TfidfBaseline.PREDICTION)));
    }
    assertEquals(Map.of("a", 0.0, "b", 1.0, "c", 2.0), predicted);
    // per document: a right, b wrong (2 -> 1), c right
    double[] scores = TfidfBaseline.scores(TfidfBaseline.perDocument(spark.createDataFrame(rows, schema)),
        List.of("x", "y", "z"));
    assertEquals(2.0 / 3, scores[0], 1e-12);
    // F1: x 1 (1/1, 1/1); z: precision 1/1, recall 1/2 -> 2/3; y is no document's label, so it is left out of the
    // mean (predicting it is z's error, in z's recall)
    assertEquals((1 + 2.0 / 3) / 2, scores[1], 1e-12);
  }
}
