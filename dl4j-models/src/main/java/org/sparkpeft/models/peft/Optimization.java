package org.sparkpeft.models.peft;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * How the trainable parameters are optimised: an updater and a decoupled weight decay (DL4J's
 * {@code WeightDecay} is applied after the updater, so Adam + weight decay is AdamW). Frozen parameters get
 * neither.
 *
 * @param updater the updater of every trainable parameter
 * @param weightDecay decoupled weight decay coefficient (>= 0) on trainable weights (not biases)
 * @param seed seed of the new parameters' initialisation
 */
public record Optimization(IUpdater updater, double weightDecay, long seed) {

  public Optimization {
    if (updater == null) {
      throw new IllegalArgumentException("an updater is required");
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
  }

  public static Optimization adamW(double learningRate, double weightDecay) {
    return new Optimization(new Adam(learningRate), weightDecay, 42);
  }
}
