package org.sparkpeft.job.select;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.batch.ShardBatches;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.train.ModelSpec;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.auto.AutoConfig;
import org.sparkpeft.models.peft.auto.AutoPlan;
import org.sparkpeft.models.peft.auto.AutoSelection;
import org.sparkpeft.models.peft.auto.Importance;
import org.sparkpeft.models.peft.auto.ParamGroup;
import org.sparkpeft.models.train.TokenBatch;

/**
 * {@code auto}'s selection on Spark: a sample of the train split (the {@code sample} rows first in the order of a
 * hash of row id and seed, so the same for a fixed seed), a short head-only fit on the driver, the importance of
 * every group over the sample on {@code workers} executor tasks ({@link ImportanceJob}), and the plan under the
 * budget ({@link AutoSelection#plan}). One log line per stage.
 */
public final class SelectionStage {

  private static final Logger LOG = LoggerFactory.getLogger(SelectionStage.class);

  /** What selection needs besides the method's options. */
  public record Setup(String data, ModelLocation model, int batchSize, int maxLength, int workers, long seed,
                      double headLearningRate) {}

  /** The plan and the importance it came from. */
  public record Selected(AutoPlan plan, Importance importance, List<ParamGroup> groups) {}

  private SelectionStage() {}

  public static Selected run(SparkSession spark, Setup setup, AutoConfig config) {
    long start = System.nanoTime();
    PreparedData prepared = new PreparedData(spark, setup.data()).verified();
    List<String> labels = prepared.labels();
    List<Row> rows = prepared.rows("train")
        .withColumn("order", hash(col(ShardSchema.ROW_ID), lit(setup.seed() * 1_000_003L - 1)))
        .orderBy(col("order"), col(ShardSchema.ROW_ID))
        .limit(config.sample())
        .collectAsList();
    if (rows.isEmpty()) {
      throw new UserError("the train split of " + setup.data() + " has no rows to select parameters on.");
    }
    List<Minibatch> batches = new ArrayList<>();
    new ShardBatches(rows.iterator(), setup.batchSize(), labels.size(), setup.maxLength(), prepared.truncation())
        .forEachRemaining(batches::add);
    List<TokenBatch> sample = batches.stream().map(b -> new TokenBatch(b.ids(), b.labels())).toList();

    BaseModel base = setup.model().load(spark.sparkContext().hadoopConfiguration());
    AutoConfig withHead = config.withPlan(null).withHead(new HeadConfig(labels.size(), config.head().hidden(),
        config.head().dropout()));
    var encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    Optimization optimization = new Optimization(new org.nd4j.linalg.learning.config.Adam(setup.headLearningRate()),
        0, setup.seed());
    PeftModel head = AutoSelection.fitHead(encoder, withHead, sample, optimization);
    double headSeconds = (System.nanoTime() - start) / 1e9;

    Map<String, float[]> headParams = new LinkedHashMap<>();
    head.trainableParamTable().forEach((key, view) -> headParams.put(key, view.dup('c').reshape(view.length())
        .toFloatVector()));
    ModelSpec spec = new ModelSpec(setup.model(), base.fingerprint(), "head", Map.of(), labels.size(),
        withHead.head().hidden(), withHead.head().dropout(), setup.headLearningRate(), 0, 0, 1, setup.seed());
    List<ParamGroup> groups = ParamGroup.of(encoder.getConfiguration());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobDescription("auto: importance of " + groups.size() + " groups on " + rows.size() + " rows");
    Importance importance = ImportanceJob.estimate(jsc, spec, headParams, batches, setup.workers(),
        ExecutorModels.snapshot(spark.sparkContext().hadoopConfiguration()), Importance.empty(groups));
    AutoPlan plan = AutoSelection.plan(encoder, withHead, importance);
    LOG.info(String.format(Locale.ROOT, "auto: %d rows in %d batches, head fitted %d steps in %.1f s, importance "
        + "on %d tasks, selection %.1f s in all; plan trains %,d of %,d budgeted encoder parameters in %d groups",
        rows.size(), batches.size(), withHead.headSteps(), headSeconds, setup.workers(),
        (System.nanoTime() - start) / 1e9, plan.planned(), plan.budget(), plan.trained().size()));
    return new Selected(plan, importance, groups);
  }
}
