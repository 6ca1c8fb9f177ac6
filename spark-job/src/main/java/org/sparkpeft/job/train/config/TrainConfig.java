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
 */
public record TrainConfig(String data, String model, String methodType, Map<String, String> methodOptions,
                          Head head, Optimizer optimizer, Train train, Eval eval, Output output) implements Serializable {

  public record Head(int hidden, double dropout) implements Serializable {}

  public record Optimizer(double learningRate, double weightDecay, double warmupFraction) implements Serializable {}

  /**
   * @param checkpointEveryRounds write a checkpoint every N rounds ({@code checkpoint.every-rounds}; 0 = never)
   */
  public record Train(int epochs, int batchSize, int averagingFrequency, int workers, long seed,
                      int checkpointEveryRounds) implements Serializable {}

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
  }
}
