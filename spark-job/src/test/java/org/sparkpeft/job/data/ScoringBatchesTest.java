package org.sparkpeft.job.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.tokenizer.Truncation;

/**
 * Scoring minibatches of a small prepared split on local[2]: the split's one shard file is spread over the scoring
 * partitions so that both cores score (validation once ran on one), and every row is scored exactly once.
 */
class ScoringBatchesTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static PreparedData data;
  private static PreparedData tailData;

  @BeforeAll
  static void prepare() throws Exception {
    spark = LocalSpark.start("scoring-batches-test");
    List<String> lines = new ArrayList<>(List.of("id,text,label"));
    for (int i = 0; i < 400; i++) {
      String label = i % 3 == 0 ? "weather" : "sports";
      String text = label.equals("weather") ? "rain and wind expected on day " + i + " with clouds"
          : "the team won match " + i + (i % 2 == 0 ? " after extra time in a long final" : "");
      lines.add("r" + i + "," + text + "," + label);
    }
    Path csv = tmp.resolve("rows.csv");
    Files.write(csv, lines, StandardCharsets.UTF_8);
    String out = tmp.resolve("prepared").toUri().toString();
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("input.path=" + csv.toUri(), "input.format=csv",
        "input.text-col=text", "input.label-col=label", "input.id-col=id", "tokenizer.max-length=32",
        "output.path=" + out), c -> {
          throw new IllegalStateException("the test gives its input");
        }));
    data = new PreparedData(spark, out);
    String tail = tmp.resolve("prepared-tail").toUri().toString();
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("input.path=" + csv.toUri(), "input.format=csv",
        "input.text-col=text", "input.label-col=label", "input.id-col=id", "tokenizer.max-length=12",
        "tokenizer.truncation=tail", "output.path=" + tail), c -> {
          throw new IllegalStateException("the test gives its input");
        }));
    tailData = new PreparedData(spark, tail);
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void everyCoreScoresAndEveryRowOnce() {
    assertTrue(!data.chunked());
    long[] expected = new long[2];
    for (Row r : data.rows("val").select(ShardSchema.LABEL).collectAsList()) {
      expected[r.getInt(0)]++;
    }
    assertTrue(expected[0] + expected[1] >= 40, "val rows: " + (expected[0] + expected[1]));

    JavaRDD<Minibatch> batches = data.scoringBatches("val", 4, 2, 0);
    try {
      List<long[]> perPartition = batches.glom().map(list -> {
        long[] counts = new long[2];
        for (Minibatch b : list) {
          assertNull(b.documents());
          for (int label : b.labels()) {
            counts[label]++;
          }
        }
        return counts;
      }).collect();
      assertEquals(PreparedData.scoringPartitions(spark), perPartition.size());
      assertEquals(4, perPartition.size(), "local[2]: twice its 2 cores");
      long[] scored = new long[2];
      int nonEmpty = 0;
      for (long[] counts : perPartition) {
        scored[0] += counts[0];
        scored[1] += counts[1];
        nonEmpty += counts[0] + counts[1] > 0 ? 1 : 0;
      }
      assertEquals(List.of(expected[0], expected[1]), List.of(scored[0], scored[1]), "every val row scored once");
      assertTrue(nonEmpty >= 3, nonEmpty + " of " + perPartition.size() + " partitions hold rows");
    } finally {
      batches.unpersist();
    }
  }

  @Test
  void rowsCutShorterKeepTheTokensTheDataWasPreparedToKeep() {
    assertEquals(Truncation.TAIL, tailData.truncation());
    assertEquals(Truncation.HEAD, data.truncation());
    List<String> expected = new ArrayList<>();
    for (Row r : tailData.rows("val").select(ShardSchema.INPUT_IDS).collectAsList()) {
      List<Integer> ids = r.getList(0);
      List<Integer> cut = ids.size() <= 6 ? ids : new ArrayList<>(List.of(ids.get(0)));
      if (ids.size() > 6) {
        cut.addAll(ids.subList(ids.size() - 5, ids.size()));
      }
      expected.add(cut.toString());
    }
    assertTrue(expected.stream().filter(e -> e.split(",").length == 6).count() >= 20, "most val rows are cut");
    JavaRDD<Minibatch> batches = tailData.scoringBatches("val", 4, 2, 6);
    try {
      List<String> scored = new ArrayList<>();
      for (Minibatch b : batches.collect()) {
        for (int[] ids : b.ids()) {
          scored.add(java.util.Arrays.toString(ids));
        }
      }
      expected.sort(null);
      scored.sort(null);
      assertEquals(expected, scored, "[CLS] and the last 5 tokens of each row (its end and [SEP]), as prepared");
    } finally {
      batches.unpersist();
    }
  }
}
