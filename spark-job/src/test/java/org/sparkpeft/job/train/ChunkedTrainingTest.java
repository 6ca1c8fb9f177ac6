package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.baseline.TfidfBaseline;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * Chunked data end to end on local[2]: long support logs (several tickets of one queue each) prepared as windows of
 * 16 tokens; training reads the windows as rows, and validation, test and the baseline count each log once.
 */
class ChunkedTrainingTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path data;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.builder("chunked-training-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    String[] billing = {"I was charged twice for my subscription", "please refund my invoice",
        "my credit card payment failed", "there is an extra fee on my bill", "I need a receipt for my order",
        "cancel my plan and stop charging me"};
    String[] technical = {"the app crashes when I open settings", "I cannot log in after the update",
        "the server returns an error on upload", "my sync stopped working", "the dashboard shows a blank screen",
        "the password reset email never arrives"};
    Random random = new Random(11);
    List<String> lines = new ArrayList<>(List.of("id,description,queue"));
    for (int i = 0; i < 240; i++) {
      String[] queue = i % 2 == 0 ? billing : technical;
      StringBuilder log = new StringBuilder("support log " + i + ":");
      for (int t = 0; t < 3 + random.nextInt(4); t++) {
        log.append(' ').append(queue[random.nextInt(queue.length)]).append(" on day ").append(random.nextInt(30))
            .append('.');
      }
      lines.add("d" + i + ",\"" + log + "\"," + (i % 2 == 0 ? "billing" : "technical"));
    }
    Path csv = tmp.resolve("logs.csv");
    Files.write(csv, lines, StandardCharsets.UTF_8);
    data = tmp.resolve("prepared");
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("input.path=" + csv.toUri(), "input.format=csv",
        "input.text-col=description", "input.label-col=queue", "input.id-col=id", "tokenizer.max-length=16",
        "tokenizer.long-text=chunk", "tokenizer.chunk-overlap=2", "output.path=" + data.toUri()), c -> {
          throw new IllegalStateException("the test gives its input");
        }));
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void scoringBatchesHoldEveryWindowOfADocumentInOnePartition() throws Exception {
    PreparedData prepared = new PreparedData(spark, data.toUri().toString());
    assertTrue(prepared.chunked());
    JavaRDD<Minibatch> batches = prepared.scoringBatches("train", 4, 2);
    try {
      List<List<String>> partitions = batches.glom().map(list -> {
        List<String> ids = new ArrayList<>();
        for (Minibatch b : list) {
          assertNotNull(b.documents());
          ids.addAll(List.of(b.documents()));
        }
        return ids;
      }).collect();
      Map<String, Integer> partitionOf = new HashMap<>();
      long windows = 0;
      for (int p = 0; p < partitions.size(); p++) {
        for (String doc : partitions.get(p)) {
          windows++;
          Integer before = partitionOf.put(doc, p);
          assertTrue(before == null || before == p, doc + " is in partitions " + before + " and " + p);
        }
      }
      Manifest m = ManifestJson.read(new Configuration(), new org.apache.hadoop.fs.Path(data.toUri()));
      assertEquals(m.chunks().documentsBySplit().get("train"), (long) partitionOf.size());
      assertEquals(m.splits().get("train").rows(), windows);
      assertTrue(windows > 2L * partitionOf.size(), "documents are several windows: " + windows);
      // every core scores: the documents are spread over the scoring partitions, not left in one
      assertEquals(PreparedData.scoringPartitions(spark), partitions.size());
      assertTrue(new TreeSet<>(partitionOf.values()).size() >= 2, "documents in partitions " + partitionOf.values());
    } finally {
      batches.unpersist();
    }
  }

  @Test
  void validationTestAndBaselineCountDocuments() throws Exception {
    TrainConfig config = TrainConfigLoader.load(null, List.of("data=" + data.toUri(), "output.path=unused",
        "method.type=head", "train.epochs=3", "train.workers=2", "train.batch-size=8", "train.averaging-frequency=2",
        "eval.every-rounds=5", "optimizer.lr=5e-3"));
    AdapterTrainer.Outcome outcome = new AdapterTrainer(spark, config).run();
    TrainingReport report = outcome.report();
    Manifest m = ManifestJson.read(new Configuration(), new org.apache.hadoop.fs.Path(data.toUri()));
    long testDocuments = m.chunks().documentsBySplit().get("test");
    long testWindows = m.splits().get("test").rows();
    assertTrue(testWindows > testDocuments);
    assertEquals(testDocuments, report.test().examples(), "one test example per document");
    long tested = 0;
    for (long[] row : report.test().confusion()) {
      for (long n : row) {
        tested += n;
      }
    }
    assertEquals(testDocuments, tested);
    assertEquals(m.chunks().documentsBySplit().get("val"), report.validation().get(0).metrics().examples());
    assertTrue(report.test().accuracy() >= 0.8, "test accuracy " + report.test().accuracy());
  }

  @Test
  void theBaselineIsScoredOncePerDocumentOnTheDocumentsIds() throws Exception {
    PreparedData prepared = new PreparedData(spark, data.toUri().toString());
    TfidfBaseline.Outcome outcome = TfidfBaseline.run(prepared, prepared.labels());
    Set<String> testDocuments = new TreeSet<>();
    prepared.rows("test").select(ShardSchema.DOC_ID).distinct().collectAsList()
        .forEach(r -> testDocuments.add(r.getString(0)));
    Set<String> scored = new TreeSet<>();
    outcome.tested().select(ShardSchema.ROW_ID).collectAsList().forEach(r -> scored.add(r.getString(0)));
    assertEquals(testDocuments, scored);
    assertEquals(testDocuments.size(), outcome.tested().count(), "one row per document");
    assertTrue(outcome.result().terms().endsWith(TfidfBaseline.CHUNKED_TERMS));
    assertTrue(outcome.result().macroF1() >= 0.8, "baseline test macro-F1 " + outcome.result().macroF1());
  }
}
