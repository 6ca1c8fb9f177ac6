package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.testsupport.LocalSpark;

/** LoRA on MiniLM trained by adapter-only parameter averaging with 2 workers on local[2]. */
class AdapterTrainerTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.builder("trainer-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void loraLearnsTheTaskMovingOnlyTheAdapterAndLeavesTheBaseBitIdentical() throws Exception {
    Path data = TicketData.prepare(spark, tmp, 600);
    TrainConfig config = TrainConfigLoader.load(null, List.of("data=" + data.toUri(), "output.path=unused",
        "train.epochs=2", "train.workers=2", "train.batch-size=8", "train.averaging-frequency=2",
        "eval.every-rounds=4", "optimizer.lr=2e-3", "method.options.lora_dropout=0"));
    AdapterTrainer.Outcome outcome = new AdapterTrainer(spark, config).run();
    TrainingReport report = outcome.report();

    List<TrainingReport.LossPoint> curve = report.train().lossCurve();
    assertTrue(curve.size() >= 6, "rounds: " + curve.size());
    double first = (curve.get(0).loss() + curve.get(1).loss()) / 2;
    double last = (curve.get(curve.size() - 1).loss() + curve.get(curve.size() - 2).loss()) / 2;
    assertTrue(last < 0.6 * first, "training loss should fall: " + curve);
    assertTrue(report.test().accuracy() >= 0.9, "test accuracy " + report.test().accuracy());
    assertEquals(List.of("billing", "technical"), outcome.labels());

    long perRound = report.train().bytesPerRoundBroadcast() + report.train().bytesPerRoundCollected();
    assertTrue(perRound > 0 && perRound * 50 < report.train().stockBytesPerRound(),
        "adapter-only traffic " + perRound + " vs stock " + report.train().stockBytesPerRound());
    assertEquals(74_498, report.trainableParams());

    // frozen weights on the driver are the base's, bit for bit; the adapter moved
    BaseModel base = BaseModel.defaultModel();
    for (int layer : new int[] {0, 5}) {
      INDArray query = outcome.model().graph().getLayer("encoder.layer." + layer).getParam("query.W");
      assertArrayEquals(base.weights().blocks().get(layer).dense(DenseRole.QUERY).kernel(),
          query.dup('c').reshape(query.length()).toFloatVector());
      INDArray loraB = outcome.model().graph().getLayer("encoder.layer." + layer).getParam("value.loraB");
      assertTrue(loraB.amaxNumber().doubleValue() > 0, "LoRA B of block " + layer + " must have trained away from 0");
    }
  }
}
