package org.sparkpeft.job.eval;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.score.AdapterPayload;
import org.sparkpeft.job.score.AdapterScorer;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;

/**
 * Re-evaluates a written adapter on a prepared split, on Spark: the adapter's two files (a few hundred KB) are
 * broadcast, and each executor scores its minibatches with {@link AdapterScorer} (the adapter applied to its
 * once-imported base with the same checks as any other load), so what is scored is exactly what was written.
 */
public final class AdapterEvaluation {

  /** What was evaluated and the metrics. */
  public record Result(String adapter, String data, String split, AdapterInfo info, ClassificationMetrics metrics) {}

  private AdapterEvaluation() {}

  /**
   * Scores {@code split} of the prepared data at {@code dataPath} with the adapter folder at {@code adapterPath}
   * on the base at {@code base} (which must be the one the adapter was trained on).
   */
  public static Result run(SparkSession spark, String adapterPath, String dataPath, String split, ModelLocation base,
                           int batchSize) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    AdapterPayload payload = new AdapterPayload(AdapterStore.read(hadoop, adapterPath), adapterPath);
    BaseModel driverBase = base.load(hadoop);
    AdapterInfo info;
    try {
      info = AdapterFiles.load(driverBase, payload.files(), adapterPath).info();
    } catch (IllegalArgumentException e) {
      throw new UserError("adapter " + e.getMessage() + ".", e);
    }
    PreparedData data = new PreparedData(spark, dataPath).verified();
    List<String> labels = data.labels();
    if (!labels.equals(info.labels())) {
      throw new UserError("data " + dataPath + " has labels " + labels + " (by id) but adapter " + adapterPath
          + " was trained on " + info.labels() + ".");
    }
    int classes = labels.size();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobDescription("evaluate " + adapterPath + " on " + split);
    AdapterScorer scorer = AdapterScorer.broadcast(jsc, payload, base, ExecutorModels.snapshot(hadoop),
        driverBase.fingerprint());
    // an adapter trained on rows cut shorter than prepared is scored on rows cut the same way
    int maxLength = Integer.parseInt(info.summary().getOrDefault("max_length", "0"));
    JavaRDD<Minibatch> batches = data.scoringBatches(split, batchSize, classes, maxLength);
    try {
      ConfusionCounts counts = GpuStages.onModelExecutors(batches.mapPartitions((Iterator<Minibatch> it) -> {
        if (!it.hasNext()) {
          return Collections.<ConfusionCounts>emptyIterator();
        }
        ConfusionCounts scored = scorer.withModel(model -> BatchScoring.score(model.graph(), it, classes));
        return List.of(scored).iterator();
      })).fold(new ConfusionCounts(classes), ConfusionCounts::merge);
      if (counts.examples() == 0) {
        throw new UserError("the " + split + " split of " + dataPath + " has no rows.");
      }
      return new Result(adapterPath, dataPath, split, info, counts.metrics(labels));
    } finally {
      batches.unpersist();
      scorer.destroy();
    }
  }
}
