package org.sparkpeft.job.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.job.cli.TrainCommand;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.inference.PaddedBatch;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.tokenizer.TextTokenizer;
import picocli.CommandLine;

/**
 * {@code predict} with an adapter trained on chunked data ({@code train --input ... --long-text chunk}): each text is
 * read as the training data's windows and gets one output row, the mean of its windows' probabilities.
 */
class ChunkedPredictTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path adapter;
  private static Path input;
  private static final Map<String, String> TEXTS = new HashMap<>();

  @BeforeAll
  static void train() throws Exception {
    spark = LocalSpark.builder("chunked-predict-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    String[] billing = {"I was charged twice for my subscription", "please refund my invoice",
        "my credit card payment failed", "there is an extra fee on my bill"};
    String[] technical = {"the app crashes when I open settings", "I cannot log in after the update",
        "the server returns an error on upload", "my sync stopped working"};
    Random random = new Random(3);
    List<String> lines = new ArrayList<>(List.of("id,description,queue"));
    for (int i = 0; i < 120; i++) {
      String[] queue = i % 2 == 0 ? billing : technical;
      StringBuilder log = new StringBuilder("support log " + i + ":");
      for (int t = 0; t < 3 + random.nextInt(4); t++) {
        log.append(' ').append(queue[random.nextInt(queue.length)]).append('.');
      }
      TEXTS.put("d" + i, log.toString());
      lines.add("d" + i + ",\"" + log + "\"," + (i % 2 == 0 ? "billing" : "technical"));
    }
    input = tmp.resolve("logs.csv");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path out = tmp.resolve("run");
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("--input", input.toUri().toString(), "--format", "csv", "--text-col",
        "description", "--label-col", "queue", "--max-length", "16", "--long-text", "chunk",
        "prepare.tokenizer.chunk-overlap=2", "--method", "head", "--output", out.toUri().toString(), "--epochs", "2",
        "--workers", "2", "train.batch-size=8", "train.averaging-frequency=2", "eval.every-rounds=0",
        "optimizer.lr=1e-2", "baseline.enabled=false");
    assertEquals(0, train.run(spark));
    adapter = out.resolve("adapter");
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void aTextIsOneRowWithTheMeanOfItsWindowsProbabilities() throws Exception {
    PredictSpec spec = new PredictSpec(List.of(adapter.toUri().toString()), input.toUri().toString(), null,
        "description", "id", tmp.resolve("scored.parquet").toUri().toString(), null, ModelLocation.defaultModel(),
        null, null, 8, false, false);
    PredictJob.Result result = PredictJob.run(spark, spec);
    assertTrue(result.text().chunked(), result.text().toString());
    assertEquals(16, result.text().maxLength());
    assertEquals(2, result.text().chunkOverlap());
    assertEquals(16, result.text().maxChunks());
    Map<String, Row> byId = new HashMap<>();
    for (Row row : spark.read().parquet(tmp.resolve("scored.parquet").toUri().toString()).collectAsList()) {
      byId.put(row.getAs("id"), row);
    }
    assertEquals(TEXTS.keySet(), byId.keySet(), "one row per text");

    BaseModel base = ModelLocation.defaultModel().load(spark.sparkContext().hadoopConfiguration());
    ComputationGraph graph = AdapterFiles.load(base, AdapterStore.read(spark.sparkContext().hadoopConfiguration(),
        adapter.toUri().toString()), adapter.toString()).model().graph();
    List<String> labels = List.of("billing", "technical");
    int several = 0;
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(16)) {
      for (int i = 0; i < 12; i++) {
        String id = "d" + i;
        List<int[]> windows = tokenizer.windows(TEXTS.get(id), 2, 16).chunks();
        several += windows.size() > 1 ? 1 : 0;
        double[] mean = new double[2];
        for (int[] window : windows) {
          PaddedBatch one = PaddedBatch.of(List.of(window));
          INDArray p = graph.output(false, new INDArray[] {one.ids()}, new INDArray[] {one.mask()})[0];
          mean[0] += p.getDouble(0, 0) / windows.size();
          mean[1] += p.getDouble(0, 1) / windows.size();
        }
        int best = mean[1] > mean[0] ? 1 : 0;
        Row predicted = byId.get(id).<Row>getList(byId.get(id).fieldIndex("predictions")).get(0);
        assertEquals(labels.get(best), predicted.getAs("label"), id);
        assertEquals(mean[best], predicted.<Double>getAs("probability"), 1e-4, id);
      }
    }
    assertTrue(several >= 10, "the texts are several windows: " + several);
  }
}
