package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * A driver that dies after a round is resumed by running the same job again: it picks up the newest checkpoint and
 * ends where an uninterrupted run ends (LoRA and head dropout on: the tasks' randomness is a function of the round).
 * A run that stopped early checkpoints the stop, keeps the best parameters, and is not trained further when run
 * again.
 */
class AdapterTrainerResumeTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.builder("trainer-resume-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void aRunKilledAfterARoundResumesFromItsCheckpointAndEndsLikeAnUninterruptedRun() throws Exception {
    Path data = TicketData.prepare(spark, tmp, 200);
    List<String> settings = List.of("data=" + data.toUri(), "output.path=unused", "method.options.r=4",
        "train.epochs=2", "train.workers=2", "train.batch-size=8", "train.averaging-frequency=2",
        "eval.every-rounds=3", "checkpoint.every-rounds=3", "optimizer.lr=2e-3");
    TrainConfig config = TrainConfigLoader.load(null, settings);
    org.apache.hadoop.fs.Path checkpoints = new org.apache.hadoop.fs.Path(tmp.resolve("ckpt").toUri());

    AdapterTrainer.Outcome uninterrupted = new AdapterTrainer(spark, config).run();
    int rounds = uninterrupted.report().rounds();
    assertTrue(rounds >= 7, "rounds: " + rounds);

    // the driver dies after round 7: its last checkpoint is round 6 (5 rounds per epoch: the second epoch's first)
    RuntimeException died = assertThrows(RuntimeException.class, () -> new AdapterTrainer(spark, config, checkpoints)
        .onRound(info -> {
          if (info.round() == 7) {
            throw new IllegalStateException("driver killed after round 7");
          }
        }).run());
    assertEquals("driver killed after round 7", died.getMessage());
    try (Stream<Path> files = Files.list(tmp.resolve("ckpt"))) {
      assertEquals(List.of("round-000003.json", "round-000006.json"),
          files.map(p -> p.getFileName().toString()).filter(name -> !name.startsWith("."))
          .sorted().collect(Collectors.toList()));
    }

    AdapterTrainer.Outcome resumed = new AdapterTrainer(spark, config, checkpoints).run();

    TrainableSlice slice = TrainableSlice.of(uninterrupted.model());
    float[] expected = slice.gather(uninterrupted.model().graph().params());
    float[] actual = slice.gather(resumed.model().graph().params());
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(max < 1e-5, "resumed params differ from the uninterrupted run's by up to " + max);
    TrainingReport a = uninterrupted.report();
    TrainingReport b = resumed.report();
    assertEquals(a.rounds(), b.rounds());
    List<TrainingReport.LossPoint> curveA = a.train().lossCurve();
    List<TrainingReport.LossPoint> curveB = b.train().lossCurve();
    assertEquals(curveA.size(), curveB.size());
    for (int i = 0; i < curveA.size(); i++) {
      assertEquals(curveA.get(i).round(), curveB.get(i).round());
      assertEquals(curveA.get(i).loss(), curveB.get(i).loss(), 1e-4, "loss of round " + (i + 1));
    }
    assertEquals(a.train().bytesPerRoundBroadcast(), b.train().bytesPerRoundBroadcast());
    assertEquals(a.validation().stream().map(TrainingReport.Validation::round).toList(),
        b.validation().stream().map(TrainingReport.Validation::round).toList());
    assertEquals(a.test().accuracy(), b.test().accuracy(), 1e-9);
    assertEquals(a.test().loss(), b.test().loss(), 1e-4);

    // a checkpoint of another configuration is refused, not resumed
    TrainConfig other = TrainConfigLoader.load(null, Stream.concat(settings.stream(), Stream.of("optimizer.lr=1e-3"))
        .toList());
    UserError refused = assertThrows(UserError.class, () -> new AdapterTrainer(spark, other, checkpoints).run());
    assertTrue(refused.getMessage().contains("different training configuration"), refused.getMessage());
  }

  @Test
  void aCheckpointOfOtherDataAtTheSamePathIsRefusedNamingBothAndTheSameDataPreparedAgainResumes() throws Exception {
    // a nightly job: its input changes under the same paths (same rows, labels flipped) between a killed run and
    // its re-run; the prepared folder and the checkpoints are where they were
    Path dir = Files.createDirectories(tmp.resolve("nightly"));
    Path data = TicketData.prepare(spark, dir, 120);
    Path csv = dir.resolve("tickets.csv");
    List<String> original = Files.readAllLines(csv);
    TrainConfig config = TrainConfigLoader.load(null, List.of("data=" + data.toUri(), "output.path=unused",
        "method.options.r=4", "train.epochs=1", "train.workers=2", "train.batch-size=8",
        "train.averaging-frequency=2", "eval.every-rounds=0", "checkpoint.every-rounds=1"));
    org.apache.hadoop.fs.Path checkpoints = new org.apache.hadoop.fs.Path(tmp.resolve("nightly-ckpt").toUri());
    assertThrows(IllegalStateException.class, () -> new AdapterTrainer(spark, config, checkpoints).onRound(info -> {
      if (info.round() == 2) {
        throw new IllegalStateException("driver killed after round 2");
      }
    }).run());

    Files.write(csv, original.stream().map(line -> line.endsWith(",billing") ? line.replace(",billing", ",technical")
        : line.endsWith(",technical") ? line.replace(",technical", ",billing") : line).toList());
    TicketData.prepareCsv(spark, csv, data);
    UserError refused = assertThrows(UserError.class, () -> new AdapterTrainer(spark, config, checkpoints).run());
    String message = refused.getMessage();
    assertTrue(message.startsWith("checkpoint ") && message.contains("was trained on data ")
        && message.contains("but this run's data is ") && message.contains("delete "), message);
    String[] digests = message.split("content sha256 ");
    assertEquals(3, digests.length, message);
    assertTrue(!digests[1].substring(0, 12).equals(digests[2].substring(0, 12)), message);

    Files.write(csv, original);
    TicketData.prepareCsv(spark, csv, data);
    AdapterTrainer.Outcome resumed = new AdapterTrainer(spark, config, checkpoints).run();
    assertEquals(2, resumed.report().train().lossCurve().get(1).round());
    assertTrue(resumed.report().rounds() > 2, "rounds: " + resumed.report().rounds());
  }

  @Test
  void earlyStoppingKeepsTheBestParametersCheckpointsTheStopAndARerunTrainsNoFurther() throws Exception {
    Path data = TicketData.prepare(spark, Files.createDirectories(tmp.resolve("early")), 200);
    // validation loss after every round, patience 2, a learning rate high enough that the loss stops improving
    TrainConfig config = TrainConfigLoader.load(null, List.of("data=" + data.toUri(), "output.path=unused",
        "method.options.r=4", "train.epochs=4", "train.workers=2", "train.batch-size=8",
        "train.averaging-frequency=2", "eval.every-rounds=1", "eval.metric=loss", "eval.patience=2",
        "checkpoint.every-rounds=1000", "optimizer.lr=5e-2"));
    Path dir = tmp.resolve("early-ckpt");
    org.apache.hadoop.fs.Path checkpoints = new org.apache.hadoop.fs.Path(dir.toUri());

    AdapterTrainer.Outcome stopped = new AdapterTrainer(spark, config, checkpoints).run();
    TrainingReport report = stopped.report();
    List<TrainingReport.Validation> validations = report.validation();
    assertEquals(report.rounds(), validations.size(), "one validation per round");
    assertTrue(report.rounds() < 4 * 5, "early stopping should end the 4 epochs (5 rounds each) early; rounds: "
        + report.rounds() + ", validation losses: " + validations.stream().map(v -> v.metrics().loss()).toList());
    int best = 0;
    for (int i = 1; i < validations.size(); i++) {
      if (validations.get(i).metrics().loss() < validations.get(best).metrics().loss()) {
        best = i;
      }
    }
    assertEquals(validations.size() - 1, best + 2, "the stop comes exactly `patience` validations after the best");

    // the stop was checkpointed (every-rounds 1000 never fires): best-so-far and the last round's params differ,
    // and the model the run returns (and writes) carries the best
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(String.format("round-%06d.json", report.rounds())), files
          .map(p -> p.getFileName().toString()).filter(name -> !name.startsWith(".")).sorted().toList());
    }
    com.fasterxml.jackson.databind.JsonNode checkpoint = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(dir.resolve(String.format("round-%06d.json", report.rounds())).toFile());
    assertTrue(checkpoint.get("stopped").asBoolean());
    float[] bestParams = Checkpoint.floats(checkpoint.get("best").binaryValue());
    float[] lastParams = Checkpoint.floats(checkpoint.get("params").binaryValue());
    TrainableSlice slice = TrainableSlice.of(stopped.model());
    org.junit.jupiter.api.Assertions.assertArrayEquals(bestParams, slice.gather(stopped.model().graph().params()));
    assertTrue(!java.util.Arrays.equals(bestParams, lastParams), "two rounds after the best, the params moved on");

    AdapterTrainer.Outcome again = new AdapterTrainer(spark, config, checkpoints).run();
    assertEquals(report.rounds(), again.report().rounds());
    assertEquals(report.train().lossCurve(), again.report().train().lossCurve());
    org.junit.jupiter.api.Assertions.assertArrayEquals(bestParams, slice.gather(again.model().graph().params()));
    assertEquals(report.test().accuracy(), again.report().test().accuracy(), 1e-9);
    assertEquals(report.test().loss(), again.report().test().loss(), 1e-6);
  }
}
