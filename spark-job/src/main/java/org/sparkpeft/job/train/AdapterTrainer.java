package org.sparkpeft.job.train;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.cache.FeatureCacheSpec;
import org.sparkpeft.job.train.cache.FeatureCaching;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.defaults.ClassWeightRule;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.peft.PeftModel;

/**
 * The training job's driver: epochs of adapter-only parameter-averaging rounds run by {@link AdapterAveragingMaster}
 * (DL4J's parameter-averaging master, specialised) on a {@link SparkComputationGraph}, validation every
 * {@code eval.every-rounds} with early stopping on the best metric, checkpoints every
 * {@code checkpoint.every-rounds} (resumed from when the same job runs again), and the test evaluation of the best
 * parameters. Frozen parameters never travel and never change.
 */
public final class AdapterTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(AdapterTrainer.class);

  /** The result of a run: the report and the trained model on the driver (best parameters loaded). */
  public record Outcome(TrainingReport report, PeftModel model, List<String> labels, String tokenizerId,
                        String tokenizerSha256) {}

  /** What a finished round reports to {@link #onRound} observers (the progress bar), after its checkpoint. */
  public record RoundInfo(int round, int totalRounds, int epoch, double loss, double examplesPerSec, long bytesMoved,
                          double etaSeconds) {}

  private final SparkSession spark;
  private final TrainConfig config;
  private final JavaSparkContext jsc;
  private final Map<String, String> hadoopConf;
  private final Checkpoints checkpoints;
  private final List<Consumer<RoundInfo>> observers = new ArrayList<>();
  /** This run's frozen-trunk feature cache (null: none); its stores are removed when the run ends. */
  private FeatureCacheSpec cache;
  /** Where a fresh run's head comes from (null: the method's own initialisation). */
  private Supplier<Map<String, INDArray>> initialHead;

  /** A trainer that writes no checkpoints. */
  public AdapterTrainer(SparkSession spark, TrainConfig config) {
    this(spark, config, null);
  }

  /**
   * @param checkpointDir where checkpoints go and are resumed from ({@link Checkpoints#beside} of the output), or
   *     null for none
   */
  public AdapterTrainer(SparkSession spark, TrainConfig config, Path checkpointDir) {
    this.spark = spark;
    this.config = config;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.hadoopConf = ExecutorModels.snapshot(spark.sparkContext().hadoopConfiguration());
    this.checkpoints = checkpointDir == null ? null
        : new Checkpoints(spark.sparkContext().hadoopConfiguration(), checkpointDir);
  }

  /**
   * Starts a fresh run's head from {@code head} (parameter key -> values; {@link HeadProbe#run}), asked for only when
   * the run does not resume from a checkpoint. Without it the head starts as the method initialises it.
   */
  public AdapterTrainer startHeadFrom(Supplier<Map<String, INDArray>> head) {
    this.initialHead = head;
    return this;
  }

  /** Calls {@code observer} on the driver after every round (and its checkpoint); an exception ends the run. */
  public AdapterTrainer onRound(Consumer<RoundInfo> observer) {
    observers.add(observer);
    return this;
  }

  public Outcome run() {
    try {
      return train();
    } finally {
      FeatureCaching.drop(jsc, cache, config.train().workers());
      cache = null;
    }
  }

  private Outcome train() {
    long start = System.nanoTime();
    requireNd4jKryo();
    TrainData data = new TrainData(spark, config);
    List<String> labels = data.labels();
    ModelLocation location = config.model() == null ? ModelLocation.defaultModel() : new ModelLocation(config.model());
    BaseModel base = location.load(spark.sparkContext().hadoopConfiguration());
    TrainConfig.Train t = config.train();
    int f = t.averagingFrequency();

    TrainData.Epoch firstEpoch = data.train(0);
    int[] plannedRounds = data.plannedRounds(t.epochs(), f);
    int totalRounds = Arrays.stream(plannedRounds).sum();
    int totalSteps = Math.max(1, totalRounds * f);
    int warmup = (int) Math.round(config.optimizer().warmupFraction() * totalSteps);
    ModelSpec spec = new ModelSpec(location, base.fingerprint(), config.methodType(), config.methodOptions(),
        labels.size(), config.head().hidden(), config.head().dropout(), config.optimizer().learningRate(),
        config.optimizer().weightDecay(), warmup, totalSteps, t.seed(), config.optimizer().headRate(),
        classWeights(data));
    PeftModel model;
    try {
      model = spec.build(base);
    } catch (IllegalArgumentException e) {
      throw new UserError("method " + config.methodType() + ": " + e.getMessage(), e);
    }
    LOG.info(model.summary());
    ComputationGraph graph = model.graph();
    TrainableSlice slice = TrainableSlice.of(model);
    DataIdentity dataIdentity = checkpoints == null ? null : data.identity();
    cache = FeatureCaching.plan(jsc, t, model, base.fingerprint(),
        () -> dataIdentity != null ? dataIdentity : data.identity());
    AdapterAveragingMaster master = new AdapterAveragingMaster.Builder(t.workers(), spec, slice,
        slice.frozenChecksum(graph.params()), hadoopConf, t.seed())
        .batchSizePerWorker(t.batchSize()).averagingFrequency(f).featureCache(cache).build();
    requireKryoBuffer(slice);
    SparkComputationGraph sparkGraph = new SparkComputationGraph(jsc, graph, master);
    String fingerprint = fingerprint(base, slice);

    Checkpoint resumed = checkpoints == null ? null : checkpoints.latest(fingerprint, dataIdentity).orElse(null);
    if (resumed == null && initialHead != null) {
      // a resumed run has its head in the checkpoint; a fresh one gets it now (e.g. from the head-only run)
      HeadProbe.load(model, initialHead.get());
    }
    RunState state = RunState.fresh(slice.gather(graph.params()));
    if (resumed != null) {
      state = RunState.of(resumed);
      slice.scatter(Checkpoint.floats(resumed.params()), graph.params());
      setUpdater(graph, Checkpoint.floats(resumed.updater()));
    }
    if (state.nextEpoch > 0) {
      firstEpoch.unpersist();
    }
    JavaRDD<Minibatch> val = data.eval("val");
    LOG.info(String.format(Locale.ROOT, "ex/s below = train examples/s: a round's training examples over its wall "
        + "time (Spark scheduling, broadcast, forward+backward+update on %d workers, averaging), excluding validation "
        + "and checkpoints; bin/sparkpeft bench train counts forward+backward+update alone, in one JVM", t.workers()));
    ProgressBar bar = ProgressBar.forTerminal();
    double runSeconds = 0;
    int roundsThisRun = 0;
    for (int epoch = state.nextEpoch; epoch < t.epochs() && !state.stopped; epoch++) {
      TrainData.Epoch batches = epoch == 0 ? firstEpoch : data.train(epoch);
      int rounds = batches.rounds(f);
      if (rounds != plannedRounds[epoch]) {
        LOG.warn(String.format(Locale.ROOT, "epoch %d has %d rounds, %d were planned; the learning-rate schedule "
            + "and the progress display are off by the difference", epoch + 1, rounds, plannedRounds[epoch]));
      }
      for (int r = epoch == state.nextEpoch ? state.nextRoundInEpoch : 0; r < rounds && !state.stopped; r++) {
        int round = ++state.round;
        long roundStart = System.nanoTime();
        double lastLoss = state.lossCurve.isEmpty() ? Double.NaN : state.lossCurve.get(state.lossCurve.size() - 1).loss();
        jsc.setJobDescription(String.format(Locale.ROOT, "round %d/%d · epoch %d · loss %.3f", round, totalRounds,
            epoch + 1, lastLoss));
        AdapterAveragingMaster.RoundOutcome outcome = master.fitRound(sparkGraph, batches.batches(), epoch, r, round,
            totalRounds);
        double seconds = (System.nanoTime() - roundStart) / 1e9;
        long n = batches.examples(r, f);
        double loss = outcome.lossSum() / Math.max(1, n);
        if (outcome.workers() > 0) {
          state.examples += n;
          state.broadcastBytes += outcome.broadcastBytes();
          state.collectedBytes += outcome.collectedBytes();
          state.trainSeconds += seconds;
          state.lossCurve.add(new TrainingReport.LossPoint(round, loss));
        }
        runSeconds += seconds;
        roundsThisRun++;
        long moved = outcome.broadcastBytes() + outcome.collectedBytes();
        if (bar != null) {
          bar.clear();
        }
        LOG.info(String.format(Locale.ROOT, "round %d/%d · epoch %d · loss %.4f · %.1f ex/s · %s moved", round,
            totalRounds, epoch + 1, loss, n / seconds, megabytes(moved)));

        boolean last = epoch == t.epochs() - 1 && r == rounds - 1;
        if ((config.eval().everyRounds() > 0 && round % config.eval().everyRounds() == 0) || last) {
          jsc.setJobDescription(String.format(Locale.ROOT, "validation after round %d/%d", round, totalRounds));
          validate(state, val, slice.gather(graph.params()), spec, slice, labels, round, last);
        }
        if (checkpoints != null && t.checkpointEveryRounds() > 0
            && (round % t.checkpointEveryRounds() == 0 || state.stopped)) {
          checkpoints.write(state.checkpoint(fingerprint, dataIdentity, t.seed(), epoch, r, rounds, slice.gather(graph.params()),
              updater(graph), (System.nanoTime() - start) / 1e9));
        }
        RoundInfo info = new RoundInfo(round, totalRounds, epoch, loss, n / seconds, moved,
            runSeconds / roundsThisRun * Math.max(0, totalRounds - round));
        if (bar != null) {
          bar.accept(info);
        }
        observers.forEach(o -> o.accept(info));
      }
      batches.unpersist();
      FeatureCaching.log(cache, epoch);
    }
    if (bar != null) {
      bar.clear();
    }
    slice.scatter(state.best, graph.params());
    jsc.setJobDescription("test evaluation of the best parameters");
    ClassificationMetrics test = evaluate(data.eval("test"), state.best, spec, slice, labels);
    LOG.info(String.format(Locale.ROOT, "test: loss %.4f, accuracy %.4f, macro-F1 %.4f", test.loss(), test.accuracy(),
        test.macroF1()));
    val.unpersist();
    return new Outcome(report(state, model, base, slice, t, plannedRounds, test,
        state.earlierWallSeconds + (System.nanoTime() - start) / 1e9), model, labels, base.id(),
        sha256(base.tokenizerJson()));
  }

  /**
   * The loss's class weights: balanced ({@link ClassWeightRule}) from the train split's rows per label when
   * {@code train.class-weights} is balanced, or auto and the split is unbalanced; else none.
   */
  private List<Double> classWeights(TrainData data) {
    TrainConfig.ClassWeights mode = config.train().classWeights();
    if (mode == TrainConfig.ClassWeights.NONE) {
      return List.of();
    }
    long[] counts = data.trainLabelCounts();
    if (mode == TrainConfig.ClassWeights.AUTO && !ClassWeightRule.unbalanced(counts)) {
      return List.of();
    }
    List<Double> weights = ClassWeightRule.balanced(counts);
    LOG.info("class weights (balanced, train rows per class " + Arrays.toString(counts) + "): " + weights);
    return weights;
  }

  private void validate(RunState state, JavaRDD<Minibatch> val, float[] params, ModelSpec spec, TrainableSlice slice,
                        List<String> labels, int round, boolean last) {
    ClassificationMetrics metrics = evaluate(val, params, spec, slice, labels);
    boolean improves = BestValidation.improves(config.eval().metric(), metrics, state.validations);
    boolean tie = state.bestScore != null && BestValidation.score(config.eval().metric(), metrics) == state.bestScore;
    state.validations.add(new TrainingReport.Validation(round, metrics));
    LOG.info(String.format(Locale.ROOT, "validation after round %d: loss %.4f, accuracy %.4f, macro-F1 %.4f%s",
        round, metrics.loss(), metrics.accuracy(), metrics.macroF1(),
        !improves ? "" : tie ? " · best so far (the same " + config.eval().metric() + ", lower loss)" : " · best so far"));
    if (improves) {
      state.bestScore = BestValidation.score(config.eval().metric(), metrics);
      state.best = params;
      state.sinceBest = 0;
    } else if (config.eval().patience() > 0 && ++state.sinceBest >= config.eval().patience() && !last) {
      // (after the last round there is nothing left to stop: no "early stop" line for a run that ran to its end)
      LOG.info("early stop: no better validation " + config.eval().metric() + " in " + state.sinceBest
          + " validations");
      state.stopped = true;
    }
  }

  private TrainingReport report(RunState state, PeftModel model, BaseModel base, TrainableSlice slice,
                                TrainConfig.Train t, int[] plannedRounds, ClassificationMetrics test, double wall) {
    int rounds = Math.max(1, state.lossCurve.size());
    // DL4J's stock averaging broadcasts and collects all params() and the whole updater state, per worker
    long stock = 2L * t.workers() * 4L * (model.totalCount() + slice.updaterSize());
    List<TrainingReport.ParamGroup> groups = new ArrayList<>();
    model.trainableByLayer().forEach((layer, count) -> groups.add(new TrainingReport.ParamGroup(layer, count, count)));
    groups.add(new TrainingReport.ParamGroup("frozen (base)", 0, model.totalCount() - model.trainableCount()));
    int epochs = 0;
    for (int done = 0; epochs < plannedRounds.length && done < state.round; epochs++) {
      done += plannedRounds[epochs];
    }
    return new TrainingReport(config.methodType(), base.id(), base.fingerprint(), model.trainableCount(),
        model.totalCount(), groups, state.lossCurve.size(), epochs,
        new TrainingReport.Train(state.examples / Math.max(state.trainSeconds, 1e-9), state.broadcastBytes / rounds,
            state.collectedBytes / rounds, stock, List.copyOf(state.lossCurve)),
        List.copyOf(state.validations), test, wall, describe());
  }

  private ClassificationMetrics evaluate(JavaRDD<Minibatch> batches, float[] params, ModelSpec spec,
                                         TrainableSlice slice, List<String> labels) {
    Broadcast<float[]> broadcast = jsc.broadcast(params);
    try {
      return Evaluator.evaluate(batches, broadcast, spec, slice, hadoopConf).metrics(labels);
    } finally {
      broadcast.destroy();
    }
  }

  /** Adapter-only rounds ship DL4J results holding INDArrays through Spark's serialiser. */
  private void requireNd4jKryo() {
    String serializer = jsc.getConf().get("spark.serializer", "");
    if (serializer.contains("Kryo") && !Nd4jKryoRegistrator.isIn(jsc.getConf().get(Nd4jKryoRegistrator.KEY, null))) {
      throw new UserError("Spark uses Kryo without ND4J's serialiser: set " + Nd4jKryoRegistrator.KEY + "="
          + Nd4jKryoRegistrator.class.getName() + " when the session starts (bin/sparkpeft and SparkSessions do).");
    }
  }

  /** A worker's result is serialised whole by Kryo, which refuses objects over its buffer limit. */
  private void requireKryoBuffer(TrainableSlice slice) {
    String key = "spark.kryoserializer.buffer.max";
    long limit = jsc.getConf().getSizeAsBytes(key, "64m");
    long needed = 4L * (slice.size() + slice.updaterSize()) + (1 << 16);
    if (jsc.getConf().get("spark.serializer", "").contains("Kryo") && needed > limit) {
      throw new UserError(String.format(Locale.ROOT, "a worker's trainable state (%.0f MB with its updater state) "
          + "exceeds %s (%.0f MB); start Spark with --conf %s=%dm.", needed / 1e6, key, limit / 1e6, key,
          Math.min(2047, needed * 2 / (1 << 20) + 1)));
    }
  }

  /**
   * Identifies the configuration a checkpoint belongs to: everything that shapes the trained result (base, method,
   * head, optimiser, train and eval settings, the trainable layout), not the output path or the checkpoint interval.
   * The data is compared by content, separately ({@link DataIdentity}), so that a refusal can name both.
   */
  private String fingerprint(BaseModel base, TrainableSlice slice) {
    TrainConfig.Train t = config.train();
    String text = String.join("\n", "sparkpeft-checkpoint-v2", String.valueOf(config.model()),
        base.fingerprint(), config.methodType(), new TreeMap<>(config.methodOptions()).toString(),
        // the head as the record printed before head.init existed (a checkpoint of older code still resumes)
        "Head[hidden=" + config.head().hidden() + ", dropout=" + config.head().dropout() + "]"
            + (config.head().init() == TrainConfig.HeadInit.PROBE ? " probe" : ""), config.optimizer().toString(),
        List.of(t.epochs(), t.batchSize(), t.averagingFrequency(), t.workers(), t.seed()).toString()
            + " " + t.maxLength() + " " + t.classWeights(),
        config.eval().toString(), slice.toString() + slice.hashCode());
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static float[] updater(ComputationGraph graph) {
    INDArray view = graph.getUpdater(true).getStateViewArray();
    return view == null ? new float[0] : view.dup('c').reshape(view.length()).toFloatVector();
  }

  private static void setUpdater(ComputationGraph graph, float[] values) {
    INDArray view = graph.getUpdater(true).getStateViewArray();
    if (view != null) {
      view.assign(Nd4j.createFromArray(values).castTo(view.dataType()).reshape(view.shape()));
    }
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
