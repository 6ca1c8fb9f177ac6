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
import org.sparkpeft.job.cli.UserError;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * A driver that dies after a round is resumed by running the same job again: it picks up the newest checkpoint and
 * ends where an uninterrupted run ends (LoRA and head dropout on: the tasks' randomness is a function of the round).
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
}
