package org.sparkpeft.job.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.models.peft.PeftModel;

/**
 * {@code head.init=probe}: before a method that trains encoder parameters, a head-only run on the frozen encoder
 * (method {@code head} on the same data, with its own defaults), whose best head the method's training starts from
 * instead of a random one (linear probing, then fine-tuning: the encoder's first updates follow a head that already
 * separates the classes rather than a random one).
 */
public final class HeadProbe {

  private static final Logger LOG = LoggerFactory.getLogger(HeadProbe.class);

  /** The method's own keys besides {@code method.*}, which the head-only run does not take from the user. */
  private static final Set<String> METHOD_KEYS = Set.of("optimizer.lr", "optimizer.head-lr", "head.init");

  private HeadProbe() {}

  /**
   * The head-only run of {@code job} (the job as the user gave it, before the defaults chooser): method head, no
   * method options, no baseline, the head starting at random; the user's keys stay set (data, length, epochs, batch,
   * seed, ...), except the method's own: {@code optimizer.head-lr}, when set, becomes the run's {@code optimizer.lr}
   * (the head is what it trains), and {@code optimizer.lr}, the encoder's rate, does not apply.
   */
  public static TrainConfig config(TrainConfig job) {
    Set<String> explicit = new TreeSet<>();
    for (String key : job.explicitKeys()) {
      if (!METHOD_KEYS.contains(key) && !key.startsWith("method.")) {
        explicit.add(key);
      }
    }
    TrainConfig.Optimizer o = job.optimizer();
    double lr = o.learningRate();
    if (job.isExplicit("optimizer.head-lr") && o.headLearningRate() > 0) {
      lr = o.headLearningRate();
      explicit.add("optimizer.lr");
    }
    return new TrainConfig(job.data(), job.model(), "head", Map.of(),
        job.head().withInit(TrainConfig.HeadInit.RANDOM),
        new TrainConfig.Optimizer(lr, o.weightDecay(), o.warmupFraction(), 0), job.train(), job.eval(),
        job.output(), new TrainConfig.Baseline(false), explicit);
  }

  /**
   * Runs the head-only run of {@code job} ({@link #config}, with the values {@code chooser} decides) and returns its
   * best head: parameter key -> values.
   */
  public static Map<String, INDArray> run(SparkSession spark, TrainConfig job, UnaryOperator<TrainConfig> chooser,
                                          String method) {
    LOG.info("head.init=probe: first the head alone on the frozen encoder (method head); its defaults, rounds, "
        + "validations and test line follow, then " + method + " starts from its best head");
    long start = System.nanoTime();
    TrainConfig headJob = chooser.apply(config(job));
    AdapterTrainer.Outcome outcome = new AdapterTrainer(spark, headJob).run();
    Map<String, INDArray> head = new LinkedHashMap<>();
    outcome.model().trainableParamTable().forEach((key, value) -> head.put(key, value.dup()));
    ClassificationMetrics best = outcome.report().validation().isEmpty() ? null
        : BestValidation.best(headJob.eval().metric(), outcome.report().validation());
    LOG.info(String.format(Locale.ROOT, "head.init=probe: the head-only run took %.1f min%s; %s starts from its head",
        (System.nanoTime() - start) / 60e9, best == null ? "" : String.format(Locale.ROOT,
            ", its best validation: accuracy %.4f, macro-F1 %.4f", best.accuracy(), best.macroF1()), method));
    return head;
  }

  /** Copies {@code head} (parameter key -> values, as {@link #run} returns it) into {@code model}'s parameters. */
  public static void load(PeftModel model, Map<String, INDArray> head) {
    if (head.isEmpty()) {
      throw new IllegalArgumentException("the head-only run returned no parameters");
    }
    for (Map.Entry<String, INDArray> e : head.entrySet()) {
      if (!model.trainableParams().contains(e.getKey())) {
        throw new IllegalArgumentException("the head-only run trained " + e.getKey() + ", which " + model.config().type()
            + " does not train: " + model.trainableParams());
      }
      INDArray target = model.graph().getParam(e.getKey());
      if (!Arrays.equals(target.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("the head-only run's " + e.getKey() + " has shape "
            + Arrays.toString(e.getValue().shape()) + ", the model's " + Arrays.toString(target.shape()));
      }
      target.assign(e.getValue());
    }
  }
}
