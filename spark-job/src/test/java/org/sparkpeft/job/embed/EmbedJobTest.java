package org.sparkpeft.job.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.inference.SentenceEncoder;
import org.sparkpeft.testsupport.LocalSpark;

class EmbedJobTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("embed-test");
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  private static EmbedSpec spec(String input, String output, String textCol, boolean overwrite) {
    return new EmbedSpec(input, null, textCol, "id", output, null, ModelLocation.defaultModel(), PoolingConf.Mode.MEAN,
        128, 32, true, overwrite);
  }

  @Test
  void embedsAThousandLineJsonlOnLocalTwoKeepingEveryId() throws Exception {
    Path input = EmbedInputs.write(tmp.resolve("texts.jsonl"), 1000);
    String output = tmp.resolve("embeddings.parquet").toUri().toString();
    EmbedJob.Result result = EmbedJob.run(spark, spec(input.toUri().toString(), output, "text", false));
    assertEquals(1000, result.rows());
    assertEquals(384, result.dimension());

    List<Row> rows = spark.read().parquet(output).collectAsList();
    assertEquals(1000, rows.size());
    Map<String, float[]> byId = new HashMap<>();
    for (Row row : rows) {
      List<Float> vector = row.getList(row.fieldIndex("embedding"));
      assertEquals(384, vector.size());
      float[] values = new float[384];
      double norm = 0;
      for (int i = 0; i < 384; i++) {
        values[i] = vector.get(i);
        norm += values[i] * values[i];
      }
      assertEquals(1.0, norm, 1e-4);
      byId.put(row.getString(row.fieldIndex("id")), values);
    }
    assertEquals(1000, byId.size(), "every id once");
    // the same text embedded in a single JVM gives the same vector
    try (SentenceEncoder encoder = new SentenceEncoder(BaseModel.defaultModel(), PoolingConf.Mode.MEAN, 128, 1, true)) {
      for (int i : new int[] {0, 4, 8, 999}) {
        float[] expected = encoder.encode(List.of(EmbedInputs.text(i))).clone()[0];
        float[] actual = byId.get("doc-" + i);
        for (int h = 0; h < 384; h++) {
          assertEquals(expected[h], actual[h], 1e-5, "doc-" + i + " dim " + h);
        }
      }
    }
  }

  @Test
  void aMissingColumnIsOneSentenceNamingIt() throws Exception {
    Path input = EmbedInputs.write(tmp.resolve("small.jsonl"), 5);
    UserError error = assertThrows(UserError.class, () -> EmbedJob.run(spark,
        spec(input.toUri().toString(), tmp.resolve("out-missing.parquet").toString(), "body", false)));
    assertTrue(error.getMessage().contains("has no column 'body'"), error.getMessage());
    assertTrue(error.getMessage().contains("[extra, id, text]"), error.getMessage());
  }

  @Test
  void aMissingInputIsOneSentence() {
    UserError error = assertThrows(UserError.class, () -> EmbedJob.run(spark,
        spec(tmp.resolve("nowhere.jsonl").toUri().toString(), tmp.resolve("out-none.parquet").toString(), "text",
            false)));
    assertTrue(error.getMessage().startsWith("input file:"), error.getMessage());
    assertTrue(error.getMessage().contains("Path does not exist"), error.getMessage());
    assertTrue(error.getMessage().endsWith("nowhere.jsonl."), error.getMessage());
  }

  @Test
  void anExistingOutputIsRefusedUnlessOverwrite() throws Exception {
    Path input = EmbedInputs.write(tmp.resolve("five.jsonl"), 5);
    String output = tmp.resolve("out-twice.jsonl").toUri().toString();
    assertEquals(5, EmbedJob.run(spark, spec(input.toUri().toString(), output, "text", false)).rows());
    UserError error = assertThrows(UserError.class,
        () -> EmbedJob.run(spark, spec(input.toUri().toString(), output, "text", false)));
    assertTrue(error.getMessage().contains("already exists"), error.getMessage());
    assertEquals(5, EmbedJob.run(spark, spec(input.toUri().toString(), output, "text", true)).rows());
  }
}
