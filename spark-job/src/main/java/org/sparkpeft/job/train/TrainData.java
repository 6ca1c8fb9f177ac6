package org.sparkpeft.job.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.cli.UserError;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.train.config.TrainConfig;

/** The prepared data of a training job as minibatch RDDs: each epoch's training batches and the evaluation splits. */
final class TrainData {

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
      return (max + averagingFrequency - 1) / averagingFrequency;
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
    this.prepared = new PreparedData(spark, config.data());
    this.labels = prepared.labels();
  }

  List<String> labels() {
    return labels;
  }

  /**
   * Epoch {@code epoch}'s training minibatches: rows ordered by a hash of (row id, seed, epoch) — row id breaks ties —
   * spread over {@code train.workers} partitions, batched by length bucket on the executors. A pure function of the
   * data, the seed and the epoch: a resumed run sees the same batches in the same places.
   */
  Epoch train(int epoch) {
    Dataset<Row> rows = shards("train")
        .withColumn("order", hash(col(ShardSchema.ROW_ID), lit(config.train().seed() * 1_000_003L + epoch)))
        .repartition(config.train().workers(), col("order"))
        .sortWithinPartitions(col("order"), col(ShardSchema.ROW_ID));
    int batchSize = config.train().batchSize();
    int classes = labels.size();
    JavaRDD<Minibatch> batches = rows.javaRDD()
        .mapPartitions(it -> new ShardBatches(it, batchSize, classes))
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

  /** A split's minibatches for evaluation (any order), cached. */
  JavaRDD<Minibatch> eval(String split) {
    return prepared.scoringBatches(split, config.train().batchSize(), labels.size());
  }

  private Dataset<Row> shards(String split) {
    return prepared.rows(split);
  }
}
