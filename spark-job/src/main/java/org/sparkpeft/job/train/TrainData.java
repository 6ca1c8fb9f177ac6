package org.sparkpeft.job.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.batch.ShardBatches;
import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.tokenizer.Truncation;

/** The prepared data of a training job as minibatch RDDs: each epoch's training batches and the evaluation splits. */
final class TrainData {

  private static final String ORDER = "order";

  /**
   * One epoch's training minibatches, one partition per worker, cached, with every partition's batch sizes (from
   * one counting job), so the driver knows each round's workers and examples without asking the workers.
   */
  record Epoch(JavaRDD<Minibatch> batches, int[][] sizes) {

    int rounds(int averagingFrequency) {
      int max = 0;
      for (int[] partition : sizes) {
        max = Math.max(max, partition.length);
      }
      return roundsOf(max, averagingFrequency);
    }

    /** Examples in window {@code round} ({@code averagingFrequency} batches per partition). */
    long examples(int round, int averagingFrequency) {
      long n = 0;
      for (int[] partition : sizes) {
        for (int i = round * averagingFrequency; i < Math.min(partition.length, (round + 1) * averagingFrequency); i++) {
          n += partition[i];
        }
      }
      return n;
    }

    void unpersist() {
      batches.unpersist();
    }
  }

  private final TrainConfig config;
  private final PreparedData prepared;
  private final List<String> labels;

  TrainData(SparkSession spark, TrainConfig config) {
    this.config = config;
    this.prepared = new PreparedData(spark, config.data()).verified();
    this.labels = prepared.labels();
  }

  List<String> labels() {
    return labels;
  }

  /** The prepared data's content identity (for checkpoints). */
  DataIdentity identity() {
    return prepared.identity();
  }

  /**
   * Epoch {@code epoch}'s training minibatches: rows ordered by a hash of (row id, seed, epoch), spread over
   * {@code train.workers} partitions, batched by length bucket on the executors. Ties are broken by row id, then label,
   * then token ids: a user's id column may repeat, and an order that is not total depends on the order the shuffle
   * delivers rows in. So the batches are a pure function of the data, the seed and the epoch: a resumed run, and a
   * lost executor's recomputed partitions, see the same batches in the same places.
   */
  Epoch train(int epoch) {
    Dataset<Row> rows = shards("train")
        .withColumn(ORDER, order(epoch))
        .repartition(config.train().workers(), col(ORDER))
        .sortWithinPartitions(col(ORDER), col(ShardSchema.ROW_ID), col(ShardSchema.LABEL), col(ShardSchema.INPUT_IDS));
    int batchSize = config.train().batchSize();
    int classes = labels.size();
    int maxLength = config.train().maxLength();
    Truncation truncation = prepared.truncation();
    JavaRDD<Minibatch> batches = rows.javaRDD()
        .mapPartitions(it -> new ShardBatches(it, batchSize, classes, maxLength, truncation))
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<int[]> counted = batches.mapPartitionsWithIndex((Integer index, Iterator<Minibatch> it) -> {
      List<Integer> sizes = new ArrayList<>();
      while (it.hasNext()) {
        sizes.add(it.next().size());
      }
      int[] out = new int[sizes.size() + 1];
      out[0] = index;
      for (int i = 0; i < sizes.size(); i++) {
        out[i + 1] = sizes.get(i);
      }
      return List.of(out).iterator();
    }, true).collect();
    int[][] sizes = new int[counted.size()][];
    for (int[] c : counted) {
      sizes[c[0]] = java.util.Arrays.copyOfRange(c, 1, c.length);
    }
    Epoch out = new Epoch(batches, sizes);
    if (out.rounds(1) == 0) {
      throw new UserError("the train split of " + config.data() + " has no rows.");
    }
    return out;
  }

  /**
   * How many rounds each of the first {@code epochs} epochs will have, exactly as {@link #train} will batch them,
   * from one aggregation over the row ids and buckets (no minibatch is built): a row lands in partition
   * pmod(hash(order), workers), as {@code repartition} puts it, and {@link ShardBatches} makes
   * ceil(rows / batch size) minibatches of each bucket of a partition. The learning-rate schedule and the progress
   * display need the whole run's length before the first round; the epochs differ by a round or two because
   * every epoch spreads the buckets differently.
   */
  int[] plannedRounds(int epochs, int averagingFrequency) {
    if (epochs < 1) {
      return new int[0];
    }
    int workers = config.train().workers();
    long batchSize = config.train().batchSize();
    Dataset<Row> ids = shards("train").select(col(ShardSchema.ROW_ID), col(ShardSchema.BUCKET));
    Dataset<Row> all = null;
    for (int epoch = 0; epoch < epochs; epoch++) {
      Dataset<Row> one = ids.select(lit(epoch).as("epoch"),
          pmod(hash(order(epoch)), lit(workers)).as("partition"), col(ShardSchema.BUCKET));
      all = all == null ? one : all.union(one);
    }
    long[][] batches = new long[epochs][workers];
    for (Row r : all.groupBy("epoch", "partition", ShardSchema.BUCKET).agg(count(lit(1))).collectAsList()) {
      batches[r.getInt(0)][r.getInt(1)] += (r.getLong(3) + batchSize - 1) / batchSize;
    }
    int[] rounds = new int[epochs];
    for (int epoch = 0; epoch < epochs; epoch++) {
      long most = 0;
      for (long b : batches[epoch]) {
        most = Math.max(most, b);
      }
      rounds[epoch] = roundsOf(most, averagingFrequency);
    }
    return rounds;
  }

  /** Rounds that take the busiest worker's {@code batches} minibatches, {@code averagingFrequency} per round. */
  private static int roundsOf(long batches, int averagingFrequency) {
    return Math.toIntExact((batches + averagingFrequency - 1) / averagingFrequency);
  }

  private Column order(int epoch) {
    return hash(col(ShardSchema.ROW_ID), lit(config.train().seed() * 1_000_003L + epoch));
  }

  /** A split's minibatches for evaluation (any order), cached. */
  JavaRDD<Minibatch> eval(String split) {
    return prepared.scoringBatches(split, config.train().batchSize(), labels.size(), config.train().maxLength());
  }

  /** Rows of the train split per label id (one aggregation). */
  long[] trainLabelCounts() {
    long[] counts = new long[labels.size()];
    for (Row r : shards("train").groupBy(col(ShardSchema.LABEL)).agg(count(lit(1))).collectAsList()) {
      int label = r.getInt(0);
      if (label >= 0 && label < counts.length) {
        counts[label] = r.getLong(1);
      }
    }
    return counts;
  }

  private Dataset<Row> shards(String split) {
    return prepared.rows(split);
  }
}
