package org.sparkpeft.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.OutputSpec;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.testsupport.LocalSpark;

import picocli.CommandLine;

/**
 * {@code train --input} (raw data prepared in the same job) and {@code evaluate} on what it wrote: re-scoring the
 * written adapter on the test split reproduces the test block of the run's metrics.json.
 */
class TrainEvaluateCommandTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.builder("train-evaluate-command-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void trainsFromRawDataAndEvaluateReproducesTheTestMetricsOfTheWrittenAdapter() throws Exception {
    Path csv = TicketData.writeCsv(tmp, 240);
    Path out = tmp.resolve("run");
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("--input", csv.toUri().toString(), "--format", "csv", "--text-col", "description",
        "--label-col", "queue", "--max-length", "32", "--truncation", "head_tail", "--method", "lora", "--output",
        out.toUri().toString(), "--epochs", "1", "--workers", "2", "train.batch-size=8", "train.averaging-frequency=2", "eval.every-rounds=0",
        "optimizer.lr=2e-3", "prepare.split.seed=11", "head.init=probe");
    assertEquals(0, train.run(spark));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertTrue(Files.exists(out.resolve("prepared/manifest.json")), "raw input is prepared into <output>/prepared");
    assertTrue(Files.notExists(tmp.resolve(".run.prepared")) && Files.notExists(tmp.resolve(".run.checkpoints")),
        "nothing is left beside the output");
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertTrue(metrics.path("config").path("data").asText().endsWith("/prepared"), metrics.path("config").toString());
    // the defaults chooser's table: what the user set, and what the data decided with its reason
    JsonNode chosen = metrics.path("chosen");
    assertEquals("1", chosen.path("train.epochs").path("value").asText(), chosen.toString());
    assertEquals("set by you", chosen.path("train.epochs").path("reason").asText());
    assertEquals("set by you", chosen.path("optimizer.lr").path("reason").asText());
    int length = chosen.path("train.max-length").path("value").asInt();
    assertTrue(length >= 2 && length <= 32, chosen.toString());
    assertTrue(chosen.path("train.max-length").path("reason").asText().contains("90 %"), chosen.toString());
    assertTrue(chosen.path("eval.patience").path("reason").asText().contains("validations"), chosen.toString());
    assertTrue(chosen.has("train.class-weights") && chosen.has("optimizer.head-lr"), chosen.toString());
    // head.init=probe: training started from the head-only run's head, whose loss on the two template-made queues
    // is already far below a random head's ln 2 = 0.69 at the first round
    double firstLoss = metrics.path("train").path("loss_curve").get(0).path("loss").asDouble();
    assertTrue(firstLoss < 0.5, "first round's loss " + firstLoss + ": " + metrics.path("train").path("loss_curve"));
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("prepared/manifest.json").toFile());
    assertEquals("head_tail", manifest.path("tokenizer").path("truncation").asText(), manifest.toString());

    // the baseline ran on the same splits the adapter trained and was scored on
    JsonNode baseline = metrics.path("baseline");
    assertEquals(spark.read().parquet(out.resolve("prepared/train").toString()).count(),
        baseline.path("train_rows").asLong(), baseline.toString());
    assertEquals(metrics.path("test").path("examples").asLong(), baseline.path("test_rows").asLong());
    assertTrue(baseline.path("accuracy").asDouble() > 0.9 && baseline.path("val_macro_f1").asDouble() > 0.9,
        "two template-made queues are easy for TF-IDF: " + baseline);
    assertTrue(Files.readString(out.resolve("report.html")).contains("<h2>Baseline</h2>"));

    Path evalJson = tmp.resolve("eval.json");
    EvaluateCommand evaluate = new EvaluateCommand();
    new CommandLine(evaluate).parseArgs("--adapter", out.resolve("adapter").toUri().toString(), "--data",
        out.resolve("prepared").toUri().toString(), "--output", evalJson.toUri().toString());
    assertEquals(0, evaluate.run(spark));
    JsonNode eval = new ObjectMapper().readTree(evalJson.toFile());
    JsonNode expected = metrics.path("test");
    JsonNode actual = eval.path("test");
    assertEquals(expected.path("examples").asLong(), actual.path("examples").asLong());
    assertEquals(expected.path("accuracy").asDouble(), actual.path("accuracy").asDouble(), 1e-12);
    assertEquals(expected.path("macro_f1").asDouble(), actual.path("macro_f1").asDouble(), 1e-12);
    assertEquals(expected.path("loss").asDouble(), actual.path("loss").asDouble(), 1e-6);
    assertEquals(expected.path("confusion"), actual.path("confusion"));
    assertEquals("lora", eval.path("method").asText());

    // baseline.enabled=false: no baseline block
    Path noBaseline = tmp.resolve("run-no-baseline");
    TrainCommand off = new TrainCommand();
    new CommandLine(off).parseArgs("--data", out.resolve("prepared").toUri().toString(), "--method", "head",
        "--output", noBaseline.toUri().toString(), "--epochs", "1", "train.batch-size=32", "eval.every-rounds=0",
        "baseline.enabled=false");
    assertEquals(0, off.run(spark));
    JsonNode offMetrics = new ObjectMapper().readTree(noBaseline.resolve("metrics.json").toFile());
    assertTrue(offMetrics.has("test") && !offMetrics.has("baseline"), offMetrics.fieldNames().toString());

    // an existing output is refused (and left as it is) unless --overwrite
    long before = Files.getLastModifiedTime(out.resolve("metrics.json")).toMillis();
    TrainCommand rerun = new TrainCommand();
    new CommandLine(rerun).parseArgs("--data", out.resolve("prepared").toUri().toString(), "--output",
        out.toUri().toString());
    UserError outputExists = assertThrows(UserError.class, () -> rerun.run(spark));
    assertTrue(outputExists.getMessage().contains("already exists"), outputExists.getMessage());
    assertEquals(before, Files.getLastModifiedTime(out.resolve("metrics.json")).toMillis());

    // a second job on an output that a running job holds is refused before it prepares, trains or checkpoints
    AtomicOutput running = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(),
        new OutputSpec(out.toUri().toString(), true));
    try {
      TrainCommand concurrent = new TrainCommand();
      new CommandLine(concurrent).parseArgs("--data", out.resolve("prepared").toUri().toString(), "--output",
          out.toUri().toString(), "--overwrite");
      UserError locked = assertThrows(UserError.class, () -> concurrent.run(spark));
      assertTrue(locked.getMessage().contains("is being written by another job") && locked.getMessage()
          .contains(".run.lock"), locked.getMessage());
      assertTrue(Files.notExists(tmp.resolve(".run.checkpoints")));
    } finally {
      running.abort();
    }

    // an existing --output is kept unless --overwrite
    EvaluateCommand again = new EvaluateCommand();
    new CommandLine(again).parseArgs("--adapter", out.resolve("adapter").toUri().toString(), "--data",
        out.resolve("prepared").toUri().toString(), "--output", evalJson.toUri().toString());
    UserError exists = assertThrows(UserError.class, () -> again.run(spark));
    assertTrue(exists.getMessage().contains("exists; pass --overwrite"), exists.getMessage());
  }

  @Test
  void refusesInputsInOneSentenceBeforeWork() throws Exception {
    EvaluateCommand missing = new EvaluateCommand();
    new CommandLine(missing).parseArgs("--adapter", tmp.resolve("nowhere").toUri().toString(), "--data",
        tmp.toUri().toString());
    UserError noAdapter = assertThrows(UserError.class, () -> missing.run(spark));
    assertTrue(noAdapter.getMessage().contains("has no adapter_config.json"), noAdapter.getMessage());

    TrainCommand both = new TrainCommand();
    new CommandLine(both).parseArgs("--input", "x.csv", "--data", "prepared", "--output", "o");
    UserError twoSources = assertThrows(UserError.class, () -> both.run(spark));
    assertTrue(twoSources.getMessage().contains("either --data"), twoSources.getMessage());

    TrainCommand stray = new TrainCommand();
    new CommandLine(stray).parseArgs("--data", "prepared", "--output", "o", "prepare.split.seed=3");
    UserError prepareKey = assertThrows(UserError.class, () -> stray.run(spark));
    assertTrue(prepareKey.getMessage().contains("applies only with --input"), prepareKey.getMessage());

    // every row of the raw input carries the same label: named in one sentence after preparing, nothing written
    StringBuilder oneLabel = new StringBuilder("text,label\n");
    for (int i = 0; i < 30; i++) {
      oneLabel.append("printer number ").append(i).append(" is jammed again,printers\n");
    }
    Path csv = Files.writeString(tmp.resolve("one-label.csv"), oneLabel);
    TrainCommand single = new TrainCommand();
    new CommandLine(single).parseArgs("--input", csv.toUri().toString(), "--format", "csv", "--method", "lora",
        "--output", tmp.resolve("one-label-run").toUri().toString());
    UserError oneClass = assertThrows(UserError.class, () -> single.run(spark));
    assertTrue(oneClass.getMessage().contains("one-label.csv has one label only (printers) after preparing")
        && oneClass.getMessage().contains("--label-col"), oneClass.getMessage());
    assertTrue(Files.notExists(tmp.resolve("one-label-run")) && Files.notExists(tmp.resolve(".one-label-run.prepared")),
        "nothing written for a one-label input, and its prepared rows removed");
  }

  /** Issue #19: a crafted weights file with a consistent sha256 is a UserError (exit 2), not an OutOfMemoryError. */
  @Test
  void aCraftedAdapterIsAUserError() throws Exception {
    long end = Long.MAX_VALUE - 3;
    byte[] header = ("{\"x\":{\"dtype\":\"F32\",\"shape\":[2147483632],\"data_offsets\":[" + (end - 4L * 0x7FFFFFF0L)
        + "," + end + "]}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] weights = java.nio.ByteBuffer.allocate(8 + header.length + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(header.length).put(header).array();
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(weights));
    Path adapter = Files.createDirectories(tmp.resolve("crafted-adapter"));
    Files.write(adapter.resolve("adapter_model.safetensors"), weights);
    Files.writeString(adapter.resolve("adapter_config.json"), "{\"sparkpeft\":{\"format_version\":1,"
        + "\"weights_sha256\":\"" + sha + "\",\"base_model\":{\"id\":\"m\",\"sha256\":\""
        + org.sparkpeft.models.BaseModel.defaultModel().fingerprint() + "\"},\"method\":{\"type\":\"lora\"},"
        + "\"labels\":[\"a\",\"b\"]}}");
    EvaluateCommand evaluate = new EvaluateCommand();
    new CommandLine(evaluate).parseArgs("--adapter", adapter.toUri().toString(), "--data", tmp.toUri().toString());
    UserError crafted = assertThrows(UserError.class, () -> evaluate.run(spark));
    String message = crafted.getMessage();
    assertTrue(message.matches("adapter \\S+/adapter_model\\.safetensors is truncated or corrupt: tensor x lies "
        + "outside the file \\(bytes \\d+ to \\d+ of a 16-byte data section\\)\\."), message);
  }
}
