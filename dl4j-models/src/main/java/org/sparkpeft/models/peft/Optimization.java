package org.sparkpeft.models.peft;

import java.util.List;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * How the trainable parameters are optimised: an updater and a decoupled weight decay (DL4J's
 * {@code WeightDecay} is applied after the updater, so Adam + weight decay is AdamW). Frozen parameters get
 * neither. The head may have its own updater (a freshly initialised classifier usually wants a higher rate than
 * the adapted encoder), and the loss may weight each class.
 *
 * @param updater the updater of every trainable encoder parameter
 * @param weightDecay decoupled weight decay coefficient (>= 0) on trainable weights (not biases)
 * @param seed seed of the new parameters' initialisation
 * @param headUpdater the updater of the head's parameters; null = {@code updater}
 * @param classWeights per-class weights of the cross-entropy loss (index = label id), each > 0; empty = unweighted.
 *     The training loss is {@code -(1/N) sum_i w[y_i] log p_i[y_i]} over a minibatch of N rows.
 */
public record Optimization(IUpdater updater, double weightDecay, long seed, IUpdater headUpdater,
                           List<Double> classWeights) {

  public Optimization {
    if (updater == null) {
      throw new IllegalArgumentException("an updater is required");
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
    classWeights = classWeights == null ? List.of() : List.copyOf(classWeights);
    for (double w : classWeights) {
      if (!(w > 0 && Double.isFinite(w))) {
        throw new IllegalArgumentException("class weights must be finite and > 0, got " + classWeights);
      }
    }
  }

  /** One updater for every trainable parameter, unweighted loss. */
  public Optimization(IUpdater updater, double weightDecay, long seed) {
    this(updater, weightDecay, seed, null, List.of());
  }

  /** The head's updater: its own, or the encoder's. */
  public IUpdater headUpdaterOrDefault() {
    return headUpdater == null ? updater : headUpdater;
  }

  public static Optimization adamW(double learningRate, double weightDecay) {
    return new Optimization(new Adam(learningRate), weightDecay, 42);
  }
}
