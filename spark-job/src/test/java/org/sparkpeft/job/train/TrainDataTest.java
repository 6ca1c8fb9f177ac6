package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;

/** The round plan that sizes the learning-rate schedule matches the batches every epoch really gets. */
class TrainDataTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.builder("train-data-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void plannedRoundsEqualEachEpochsBatching() throws Exception {
    // 2 length buckets (16, 32) spread over 3 workers: each epoch's hash order fills the buckets of a partition
    // differently, so the epochs' round counts are not all the first one's
    Path data = TicketData.prepare(spark, tmp, 500);
    for (int frequency : new int[] {1, 3}) {
      TrainData train = new TrainData(spark, TrainConfigLoader.load(null, List.of("data=" + data.toUri(),
          "output.path=unused", "train.workers=3", "train.batch-size=7", "train.averaging-frequency=" + frequency)));
      int epochs = 6;
      int[] actual = new int[epochs];
      for (int epoch = 0; epoch < epochs; epoch++) {
        TrainData.Epoch batches = train.train(epoch);
        actual[epoch] = batches.rounds(frequency);
        batches.unpersist();
      }
      if (frequency == 1) {
        assertTrue(Arrays.stream(actual).distinct().count() > 1, "the epochs should differ for the plan to be tested: "
            + Arrays.toString(actual));
      }
      assertArrayEquals(actual, train.plannedRounds(epochs, frequency), "averaging frequency " + frequency);
    }
  }
}
