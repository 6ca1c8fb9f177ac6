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
 * @param explicitKeys the keys the user set (job config file, flags, key=value), which the defaults chooser
 *     ({@code org.sparkpeft.job.train.defaults}) never changes
 */
public record TrainConfig(String data, String model, String methodType, Map<String, String> methodOptions,
                          Head head, Optimizer optimizer, Train train, Eval eval, Output output,
                          Set<String> explicitKeys) implements Serializable {

  public record Head(int hidden, double dropout) implements Serializable {}

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
   */
  public record Train(int epochs, int batchSize, int averagingFrequency, int workers, long seed,
                      int checkpointEveryRounds, int maxLength, ClassWeights classWeights) implements Serializable {}

  /** Which validation metric early stopping and "best adapter" use. */
  public enum Metric {
    ACCURACY, MACRO_F1, LOSS;

    public boolean higherIsBetter() {
      return this != LOSS;
    }
  }

  public record Eval(int everyRounds, Metric metric, int patience) implements Serializable {}

  public record Output(String path, boolean overwrite) implements Serializable {}

  public TrainConfig {
    methodOptions = Map.copyOf(methodOptions);
    explicitKeys = Set.copyOf(explicitKeys);
  }

  /** Whether the user set {@code key} (e.g. {@code optimizer.lr}). */
  public boolean isExplicit(String key) {
    return explicitKeys.contains(key);
  }

  /** This config reading {@code newData} instead. */
  public TrainConfig withData(String newData) {
    return new TrainConfig(newData, model, methodType, methodOptions, head, optimizer, train, eval, output,
        explicitKeys);
  }
}
