package org.sparkpeft.job.train.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TrunkSplit;

/**
 * The driver's side of the frozen-trunk feature cache: whether a run uses it ({@link #plan}), the operator's log
 * line per epoch, and the removal of the run's stores on the executors when it ends ({@link #drop}).
 */
public final class FeatureCaching {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureCaching.class);

  private FeatureCaching() {}

  /**
   * The run's cache: with {@code train.feature-cache=auto}, 2 or more epochs and a model with a frozen trunk
   * ({@link TrunkSplit#of}) that holds at least one transformer block; else null. {@code data} is asked for the prepared data's identity only when the cache
   * is used.
   */
  public static FeatureCacheSpec plan(JavaSparkContext jsc, TrainConfig.Train train, PeftModel model,
                                      String baseFingerprint, Supplier<DataIdentity> data) {
    TrainConfig.FeatureCache settings = train.featureCache();
    if (!settings.enabled() || train.epochs() < 2) {
      return null;
    }
    TrunkSplit split = TrunkSplit.of(model);
    if (split == null) {
      LOG.info("feature cache: not used (the first layer trains, so there is no frozen trunk to cache)");
      return null;
    }
    if (split.trunkBlocks() == 0) {
      LOG.info("feature cache: not used (the frozen trunk below " + split.firstTrainedLayer()
          + " is only the embeddings, cheaper to recompute than to read back)");
      return null;
    }
    FeatureCacheSpec spec = new FeatureCacheSpec(FeatureCacheSpec.key(baseFingerprint, data.get(), split),
        UUID.randomUUID().toString(), settings.maxMegabytes(), jsc.sc().longAccumulator("feature cache hits"),
        jsc.sc().longAccumulator("feature cache misses"), jsc.sc().longAccumulator("feature cache over the cap"));
    LOG.info(String.format(Locale.ROOT, "feature cache: trunk %s; epoch 1 stores each example's %s on the "
        + "executor's local disk (at most %,d MB per executor), later epochs start at %s; key %s",
        split.describe(), split.sequenceOutput() ? "hidden states" : "pooled vector", settings.maxMegabytes(),
        split.firstTrainedLayer(), spec.key().substring(0, 12)));
    return spec;
  }

  /** One line: the cache's counts so far (after an epoch). */
  public static void log(FeatureCacheSpec spec, int epoch) {
    if (spec != null) {
      LOG.info(String.format(Locale.ROOT, "feature cache after epoch %d: %,d hits, %,d trunk passes, %,d not stored "
          + "(over the cap)", epoch + 1, spec.hits().value(), spec.misses().value(), spec.refused().value()));
    }
  }

  /**
   * Removes the run's stores: a task on each of {@code partitions} partitions of the model executors (where the
   * rounds ran) and the driver's own. A store a task does not reach goes with its executor's local directory when the
   * executor stops.
   */
  public static void drop(JavaSparkContext jsc, FeatureCacheSpec spec, int partitions) {
    if (spec == null) {
      return;
    }
    String id = spec.storeId();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      slots.add(i);
    }
    try {
      GpuStages.onModelExecutors(jsc.parallelize(slots, partitions)).foreachPartition(it -> FeatureStore.drop(id));
    } catch (RuntimeException e) {
      LOG.warn("feature cache: removing the executors' stores failed (they go when the executors stop): " + e);
    }
    FeatureStore.drop(id);
  }
}
