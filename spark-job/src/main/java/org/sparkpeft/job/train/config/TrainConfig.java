package org.sparkpeft.job.train.config;

import java.io.Serializable;
import java.util.Map;

/**
 * A training job, validated: every value was checked by {@link TrainConfigLoader} with a sentence naming its key.
 *
 * @param data prepared shards folder
 * @param model base model folder, or null for the bundled default
 * @param methodType PEFT method type name
 * @param methodOptions the method's options (Hugging Face PEFT names), parsed by the method's registry entry
 * @param baseline whether the run also fits and scores the TF-IDF + logistic-regression baseline
 */
public record TrainConfig(String data, String model, String methodType, Map<String, String> methodOptions,
                          Head head, Optimizer optimizer, Train train, Eval eval, Output output,
                          Baseline baseline) implements Serializable {

  public record Head(int hidden, double dropout) implements Serializable {}

  public record Optimizer(double learningRate, double weightDecay, double warmupFraction) implements Serializable {}

  /**
   * @param checkpointEveryRounds write a checkpoint every N rounds ({@code checkpoint.every-rounds}; 0 = never)
   * @param featureCache the frozen-trunk feature cache ({@code train.feature-cache*})
   */
  public record Train(int epochs, int batchSize, int averagingFrequency, int workers, long seed,
                      int checkpointEveryRounds, FeatureCache featureCache) implements Serializable {}

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
  }
}
