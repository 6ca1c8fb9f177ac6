package org.sparkpeft.models.peft;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DL4J's decoupled weight decay (applied after the updater: Adam + this = AdamW), without its loss term. DL4J adds
 * 0.5·λ·Σw² of every decayed parameter to the minibatch score in every step, and sparkpeft then subtracted it
 * again to report the data loss: two norm passes over every trainable weight per step, for a number nobody reads.
 * Here {@link #score} is 0, so {@code graph.score()} is the data loss itself. The update is DL4J's, unchanged.
 */
public class DecoupledWeightDecay extends WeightDecay {

  public DecoupledWeightDecay(double coeff, boolean applyLR) {
    super(coeff, applyLR);
  }

  public DecoupledWeightDecay(@JsonProperty("coeff") ISchedule coeff, @JsonProperty("applyLR") boolean applyLR) {
    super(coeff, applyLR);
  }

  /** No loss term: the decay acts on the update only (decoupled), and the reported loss is the data loss. */
  @Override
  public double score(INDArray param, int iteration, int epoch) {
    return 0.0;
  }

  @Override
  public Regularization clone() {
    return new DecoupledWeightDecay(coeff.clone(), applyLR);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecoupledWeightDecay && super.equals(o);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 1;
  }
}
