package org.sparkpeft.job.train.config;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * A training job, validated: every value was checked by {@link TrainConfigLoader} with a sentence naming its key.
 *
 * @param data prepared shards folder
 * @param model base model folder, or null for the bundled default
 * @param methodType PEFT method type name
 * @param methodOptions the method's options (Hugging Face PEFT names), parsed by the method's registry entry
 * @param baseline whether the run also fits and scores the TF-IDF + logistic-regression baseline
 * @param explicitKeys the keys the user set (job config file, flags, key=value), which the defaults chooser
 *     ({@code org.sparkpeft.job.train.defaults}) never changes
 */
public record TrainConfig(String data, String model, String methodType, Map<String, String> methodOptions,
                          Head head, Optimizer optimizer, Train train, Eval eval, Output output,
                          Baseline baseline, Set<String> explicitKeys) implements Serializable {

  /**
   * @param init how the head starts ({@code head.init}): {@link HeadInit#PROBE} from a head-only run on the frozen
   *     encoder, {@link HeadInit#RANDOM} as the method initialises it
   */
  public record Head(int hidden, double dropout, HeadInit init) implements Serializable {

    public Head {
      if (init == null) {
        throw new IllegalArgumentException("head.init is required");
      }
    }

    /** This head starting as {@code newInit}. */
    public Head withInit(HeadInit newInit) {
      return new Head(hidden, dropout, newInit);
    }
  }

  /**
   * {@code head.init}: the head of a method that trains encoder parameters starts from a head-only run on the frozen
   * encoder (probe: linear probing, then fine-tuning), or as the method initialises it (random).
   */
  public enum HeadInit { PROBE, RANDOM }

  /**
   * @param headLearningRate peak learning rate of the classification head ({@code optimizer.head-lr}; 0 = the
   *     same as {@code learningRate})
   */
  public record Optimizer(double learningRate, double weightDecay, double warmupFraction, double headLearningRate)
      implements Serializable {

    /** The head's peak rate: its own, or the encoder's. */
    public double headRate() {
      return headLearningRate > 0 ? headLearningRate : learningRate;
    }
  }

  /** {@code train.class-weights}: weight the loss per class (balanced), never, or when the train split is unbalanced. */
  public enum ClassWeights { AUTO, BALANCED, NONE }

  /**
   * @param checkpointEveryRounds write a checkpoint every N rounds ({@code checkpoint.every-rounds}; 0 = never)
   * @param maxLength tokens per row seen in training and evaluation ({@code train.max-length}); longer prepared rows
   *     are cut at batch time keeping their first tokens and the final [SEP]; 0 = as prepared
   * @param classWeights whether the loss weights each class ({@code train.class-weights})
   * @param featureCache the frozen-trunk feature cache ({@code train.feature-cache*})
   */
  public record Train(int epochs, int batchSize, int averagingFrequency, int workers, long seed,
                      int checkpointEveryRounds, int maxLength, ClassWeights classWeights,
                      FeatureCache featureCache) implements Serializable {}

  /**
   * The frozen-trunk feature cache: with {@code auto}, a run of 2 or more epochs whose method leaves a frozen trunk
   * (embeddings and the blocks below the first trained layer) stores each example's trunk output on the executor's
   * local disk in its first epoch and starts later epochs above the trunk.
   *
   * @param enabled {@code train.feature-cache}: auto (true) or off (false)
   * @param maxMegabytes {@code train.feature-cache-max-mb}: the most each executor stores; examples beyond it are
   *     recomputed every epoch
   */
  public record FeatureCache(boolean enabled, long maxMegabytes) implements Serializable {
    public FeatureCache {
      if (maxMegabytes < 0) {
        throw new IllegalArgumentException("train.feature-cache-max-mb must be >= 0, got " + maxMegabytes);
      }
    }
  }

  /** Which validation metric early stopping and "best adapter" use. */
  public enum Metric {
    ACCURACY, MACRO_F1, LOSS;

    public boolean higherIsBetter() {
      return this != LOSS;
    }
  }

  public record Eval(int everyRounds, Metric metric, int patience) implements Serializable {}

  public record Output(String path, boolean overwrite) implements Serializable {}

  /** {@code baseline.enabled}: fit and score the TF-IDF + logistic-regression baseline on the same splits. */
  public record Baseline(boolean enabled) implements Serializable {}

  public TrainConfig {
    methodOptions = Map.copyOf(methodOptions);
    explicitKeys = Set.copyOf(explicitKeys);
  }

  /** Whether the user set {@code key} (e.g. {@code optimizer.lr}). */
  public boolean isExplicit(String key) {
    return explicitKeys.contains(key);
  }

  /** This config with other method options (e.g. {@code auto}'s options with its selected plan). */
  public TrainConfig withMethodOptions(Map<String, String> options) {
    return new TrainConfig(data, model, methodType, options, head, optimizer, train, eval, output, baseline,
        explicitKeys);
  }

  /** This config reading {@code newData} instead. */
  public TrainConfig withData(String newData) {
    return new TrainConfig(newData, model, methodType, methodOptions, head, optimizer, train, eval, output,
        baseline, explicitKeys);
  }
}
