package org.sparkpeft.job.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.cli.UserError;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Adapter-only parameter averaging on Spark. Each round the driver broadcasts the trainable parameters and their
 * updater state; every worker (one partition of the epoch's shuffled minibatches) loads them into its executor's
 * cached model — built once per executor JVM from the base model's location, checked by fingerprint — fits
 * {@code averagingFrequency} minibatches and returns its trainable state, which the driver averages. Frozen
 * parameters never travel and never change.
 */
public final class AdapterTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(AdapterTrainer.class);

  /** The result of a run: the report and the trained model on the driver (best parameters loaded). */
  public record Outcome(TrainingReport report, PeftModel model, List<String> labels, String tokenizerId,
                        String tokenizerSha256) {}

  private final SparkSession spark;
  private final TrainConfig config;
  private final JavaSparkContext jsc;
  private final Map<String, String> hadoopConf;
  private List<String> labels;

  public AdapterTrainer(SparkSession spark, TrainConfig config) {
    this.spark = spark;
    this.config = config;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.hadoopConf = ExecutorModels.snapshot(spark.sparkContext().hadoopConfiguration());
  }

  public Outcome run() {
    long start = System.nanoTime();
    labels = readLabels();
    ModelLocation location = config.model() == null ? ModelLocation.defaultModel() : new ModelLocation(config.model());
    BaseModel base = location.load(spark.sparkContext().hadoopConfiguration());
    TrainConfig.Train t = config.train();

    JavaRDD<Minibatch> firstEpoch = trainBatches(0);
    int roundsPerEpoch = roundsPerEpoch(firstEpoch);
    int totalSteps = Math.max(1, t.epochs() * roundsPerEpoch * t.averagingFrequency());
    int warmup = (int) Math.round(config.optimizer().warmupFraction() * totalSteps);
    ModelSpec spec = new ModelSpec(location, base.fingerprint(), config.methodType(), config.methodOptions(),
        labels.size(), config.head().hidden(), config.head().dropout(), config.optimizer().learningRate(),
        config.optimizer().weightDecay(), warmup, totalSteps, t.seed());
    PeftModel model;
    try {
      model = spec.build(base);
    } catch (IllegalArgumentException e) {
      throw new UserError("method " + config.methodType() + ": " + e.getMessage(), e);
    }
    LOG.info(model.summary());
    float[] params = TrainableState.params(model);
    float[] updater = TrainableState.updaterState(model.graph());
    JavaRDD<Minibatch> val = evalBatches("val", labels.size());

    List<TrainingReport.LossPoint> lossCurve = new ArrayList<>();
    List<TrainingReport.Validation> validations = new ArrayList<>();
    float[] best = params;
    double bestScore = Double.NaN;
    int sinceBest = 0;
    int round = 0;
    int totalRounds = t.epochs() * roundsPerEpoch;
    long examples = 0;
    long broadcastBytes = 0;
    long collectedBytes = 0;
    double trainSeconds = 0;
    boolean stop = false;
    double lastLoss = Double.NaN;
    for (int epoch = 0; epoch < t.epochs() && !stop; epoch++) {
      JavaRDD<Minibatch> batches = epoch == 0 ? firstEpoch : trainBatches(epoch);
      int rounds = epoch == 0 ? roundsPerEpoch : roundsPerEpoch(batches);
      for (int r = 0; r < rounds && !stop; r++) {
        round++;
        long roundStart = System.nanoTime();
        jsc.setJobDescription(String.format(Locale.ROOT, "round %d/%d · epoch %d · loss %.3f", round, totalRounds,
            epoch + 1, lastLoss));
        RoundMessages.State state = new RoundMessages.State(params, updater, (round - 1) * t.averagingFrequency(), epoch);
        Broadcast<RoundMessages.State> broadcast = jsc.broadcast(state);
        List<RoundMessages.Result> results = batches.mapPartitions(
            new RoundWorker(spec, hadoopConf, broadcast, r * t.averagingFrequency(), t.averagingFrequency())).collect();
        broadcast.destroy();
        if (results.isEmpty()) {
          continue;
        }
        params = average(results, true);
        updater = average(results, false);
        double lossSum = results.stream().mapToDouble(x -> x.lossSum).sum();
        long n = results.stream().mapToLong(x -> x.examples).sum();
        long moved = state.bytes() * results.size() + results.stream().mapToLong(RoundMessages.Result::bytes).sum();
        broadcastBytes += state.bytes() * results.size();
        collectedBytes += results.stream().mapToLong(RoundMessages.Result::bytes).sum();
        examples += n;
        lastLoss = lossSum / n;
        double seconds = (System.nanoTime() - roundStart) / 1e9;
        trainSeconds += seconds;
        lossCurve.add(new TrainingReport.LossPoint(round, lastLoss));
        LOG.info(String.format(Locale.ROOT, "round %d/%d · epoch %d · loss %.4f · %.1f ex/s · %s moved", round,
            totalRounds, epoch + 1, lastLoss, n / seconds, megabytes(moved)));

        boolean evaluate = config.eval().everyRounds() > 0 && round % config.eval().everyRounds() == 0;
        if (evaluate || round == totalRounds) {
          ClassificationMetrics metrics = evaluate(val, params, spec, labels);
          validations.add(new TrainingReport.Validation(round, metrics));
          double score = score(metrics);
          LOG.info(String.format(Locale.ROOT, "validation after round %d: loss %.4f, accuracy %.4f, macro-F1 %.4f",
              round, metrics.loss(), metrics.accuracy(), metrics.macroF1()));
          if (Double.isNaN(bestScore) || better(score, bestScore)) {
            bestScore = score;
            best = params.clone();
            sinceBest = 0;
          } else if (config.eval().patience() > 0 && ++sinceBest >= config.eval().patience()) {
            LOG.info("early stop: no better validation " + config.eval().metric() + " in " + sinceBest + " validations");
            stop = true;
          }
        }
      }
      batches.unpersist();
    }
    TrainableState.setParams(model, best);
    ClassificationMetrics test = evaluate(evalBatches("test", labels.size()), best, spec, labels);
    LOG.info(String.format(Locale.ROOT, "test: loss %.4f, accuracy %.4f, macro-F1 %.4f", test.loss(), test.accuracy(),
        test.macroF1()));
    val.unpersist();

    int rounds = Math.max(1, lossCurve.size());
    // DL4J's stock averaging broadcasts and collects all params() and the whole updater state of the same model
    long stock = 2L * t.workers() * 4L * (model.totalCount() + updater.length);
    List<TrainingReport.ParamGroup> groups = new ArrayList<>();
    model.trainableByLayer().forEach((layer, count) -> groups.add(new TrainingReport.ParamGroup(layer, count, count)));
    groups.add(new TrainingReport.ParamGroup("frozen (base)", 0, model.totalCount() - model.trainableCount()));
    TrainingReport report = new TrainingReport(config.methodType(), base.id(), base.fingerprint(),
        model.trainableCount(), model.totalCount(), groups, lossCurve.size(), Math.min(t.epochs(),
        (int) Math.ceil((double) round / Math.max(1, roundsPerEpoch))),
        new TrainingReport.Train(examples / Math.max(trainSeconds, 1e-9), broadcastBytes / rounds,
            collectedBytes / rounds, stock, lossCurve),
        validations, test, (System.nanoTime() - start) / 1e9, describe());
    return new Outcome(report, model, labels, base.id(), sha256(base.tokenizerJson()));
  }

  private ClassificationMetrics evaluate(JavaRDD<Minibatch> batches, float[] params, ModelSpec spec, List<String> labels) {
    Broadcast<float[]> broadcast = jsc.broadcast(params);
    try {
      return Evaluator.evaluate(batches, broadcast, spec, hadoopConf).metrics(labels);
    } finally {
      broadcast.destroy();
    }
  }

  private double score(ClassificationMetrics m) {
    return switch (config.eval().metric()) {
      case ACCURACY -> m.accuracy();
      case MACRO_F1 -> m.macroF1();
      case LOSS -> m.loss();
    };
  }

  private boolean better(double score, double best) {
    return config.eval().metric().higherIsBetter() ? score > best : score < best;
  }

  /** The epoch's training minibatches: rows shuffled by (seed, epoch), one partition per worker, cached. */
  private JavaRDD<Minibatch> trainBatches(int epoch) {
    Dataset<Row> rows = shards("train")
        .withColumn("order", hash(col(ShardSchema.ROW_ID), lit(config.train().seed() * 1_000_003L + epoch)))
        .repartition(config.train().workers(), col("order"))
        .sortWithinPartitions("order");
    int batchSize = config.train().batchSize();
    int classes = labels.size();
    JavaRDD<Minibatch> batches = rows.javaRDD()
        .mapPartitions(it -> new ShardBatches(it, batchSize, classes))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return batches;
  }

  private JavaRDD<Minibatch> evalBatches(String split, int classes) {
    int batchSize = config.train().batchSize();
    return shards(split).javaRDD().mapPartitions(it -> new ShardBatches(it, batchSize, classes))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private int roundsPerEpoch(JavaRDD<Minibatch> batches) {
    List<Integer> sizes = batches.mapPartitions(it -> {
      int n = 0;
      while (it.hasNext()) {
        it.next();
        n++;
      }
      return List.of(n).iterator();
    }).collect();
    int max = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    if (max == 0) {
      throw new UserError("the train split of " + config.data() + " has no rows.");
    }
    return (int) Math.ceil((double) max / config.train().averagingFrequency());
  }

  private Dataset<Row> shards(String split) {
    String path = config.data() + "/" + split;
    try {
      return spark.read().parquet(path).select(ShardSchema.ROW_ID, ShardSchema.INPUT_IDS, ShardSchema.LABEL,
          ShardSchema.BUCKET);
    } catch (Exception e) {
      throw new UserError("data " + config.data() + " has no readable " + split + " split (" + path + "); prepare it "
          + "with `bin/sparkpeft prepare`.", e);
    }
  }

  private List<String> readLabels() {
    Path path = new Path(config.data(), ShardSchema.LABEL_MAP);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new UserError("data " + config.data() + " has no " + ShardSchema.LABEL_MAP + "; is it prepared data?");
      }
      Map<String, Integer> map;
      try (InputStream in = fs.open(path)) {
        map = new ObjectMapper().readValue(in, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>>() {});
      }
      TreeMap<Integer, String> byId = new TreeMap<>();
      map.forEach((name, id) -> byId.put(id, name));
      if (byId.size() < 2 || byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
        throw new UserError(path + " must map at least 2 labels to ids 0..n-1, got " + map + ".");
      }
      return List.copyOf(byId.values());
    } catch (IOException e) {
      throw new UserError(path + " cannot be read: " + e.getMessage() + ".", e);
    }
  }

  private static float[] average(List<RoundMessages.Result> results, boolean params) {
    float[] first = params ? results.get(0).params : results.get(0).updater;
    double[] sum = new double[first.length];
    for (RoundMessages.Result r : results) {
      float[] values = params ? r.params : r.updater;
      for (int i = 0; i < sum.length; i++) {
        sum[i] += values[i];
      }
    }
    float[] out = new float[sum.length];
    for (int i = 0; i < sum.length; i++) {
      out[i] = (float) (sum[i] / results.size());
    }
    return out;
  }

  private Map<String, String> describe() {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    out.put("data", config.data());
    out.put("model", config.model() == null ? "default" : config.model());
    out.put("method.type", config.methodType());
    config.methodOptions().forEach((k, v) -> out.put("method.options." + k, v));
    out.put("head", config.head().toString());
    out.put("optimizer", config.optimizer().toString());
    out.put("train", config.train().toString());
    out.put("eval", config.eval().toString());
    return out;
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
  }
}
