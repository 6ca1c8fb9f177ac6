package org.sparkpeft.job.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.shard.OutputListing;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * The round plan that sizes the learning-rate schedule matches the batches every epoch really gets, and an epoch's
 * batches do not depend on the order the rows are stored or shuffled in, even when a user's ids repeat.
 */
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

  @Test
  void anEpochsBatchesDoNotDependOnTheStoredOrderWhenIdsRepeat() throws Exception {
    Path data = TicketData.prepare(spark, Files.createDirectories(tmp.resolve("repeated")), 300);
    // the same rows twice, with only 4 distinct row ids (as a user's id column may have), stored in opposite orders
    // and in a different number of files: the shuffle then hands rows with equal ids to the sort in other orders
    Dataset<Row> train = spark.read().parquet(data.resolve("train").toString())
        .withColumn(ShardSchema.ROW_ID, concat(lit("user-"), pmod(xxhash64(col(ShardSchema.ROW_ID)), lit(4))));
    Path ascending = copyWithTrain(data, "ascending", train.orderBy(col(ShardSchema.INPUT_IDS).asc()).coalesce(1));
    Path descending = copyWithTrain(data, "descending",
        train.orderBy(col(ShardSchema.INPUT_IDS).desc()).repartition(3).sortWithinPartitions(
            col(ShardSchema.INPUT_IDS).desc()));
    for (int epoch = 0; epoch < 2; epoch++) {
      List<List<String>> a = batches(ascending, epoch);
      List<List<String>> b = batches(descending, epoch);
      assertEquals(train.count(), a.stream().flatMap(List::stream).mapToLong(x -> x.split(";").length).sum(),
          "every train row is in a batch");
      assertTrue(a.equals(b), "epoch " + epoch + ": the batches depend on the order the rows are stored in");
    }
  }

  @Test
  void dataThatDoesNotMatchItsListingIsRefusedBeforeTraining() throws Exception {
    Path data = TicketData.prepare(spark, Files.createDirectories(tmp.resolve("partial")), 100);
    Path part;
    try (java.util.stream.Stream<Path> files = Files.list(data.resolve("train"))) {
      part = files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
    Files.delete(part); // as a copy to S3 that has not reached this object yet
    UserError refused = assertThrows(UserError.class, () -> new TrainData(spark, TrainConfigLoader.load(null,
        List.of("data=" + data.toUri(), "output.path=unused"))));
    assertTrue(refused.getMessage().startsWith("data ") && refused.getMessage().contains("is incomplete: train/"
        + part.getFileName() + ", listed in its _SUCCESS, is missing"), refused.getMessage());
  }

  private Path copyWithTrain(Path data, String name, Dataset<Row> train) throws Exception {
    Path copy = tmp.resolve(name);
    Files.createDirectories(copy);
    Files.copy(data.resolve(ShardSchema.LABEL_MAP), copy.resolve(ShardSchema.LABEL_MAP));
    train.write().parquet(copy.resolve("train").toString());
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(copy.toUri());
    OutputListing.write(dir.getFileSystem(spark.sparkContext().hadoopConfiguration()), dir);
    return copy;
  }

  /** Every partition's minibatches, each as its rows' labels and token ids, in order. */
  private List<List<String>> batches(Path data, int epoch) {
    TrainData train = new TrainData(spark, TrainConfigLoader.load(null, List.of("data=" + data.toUri(),
        "output.path=unused", "train.workers=2", "train.batch-size=5")));
    TrainData.Epoch batches = train.train(epoch);
    List<List<String>> out = new ArrayList<>(batches.batches().glom().map(partition -> {
      List<String> described = new ArrayList<>();
      for (Minibatch m : partition) {
        described.add(m.describe());
      }
      return described;
    }).collect());
    batches.unpersist();
    return out;
  }
}
