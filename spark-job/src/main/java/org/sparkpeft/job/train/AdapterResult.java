package org.sparkpeft.job.train;

import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A worker's result: DL4J's {@link ParameterAveragingTrainingResult} holding only the trainable slice of the
 * parameters and the updater state, so DL4J's own {@code ParameterAveragingElementAddFunction} /
 * {@code ParameterAveragingElementCombineFunction} sum it unchanged (they are shape-agnostic). The inherited
 * {@code score} is the worker's summed loss (minibatch loss times its examples), not one minibatch's score, so the
 * driver can divide the round's sum by the round's examples. {@code examples} and {@code steps} are for the worker's
 * own log and tests; the stock aggregation tuple does not carry them.
 */
public class AdapterResult extends ParameterAveragingTrainingResult {

  private static final long serialVersionUID = 1L;

  private final long examples;
  private final int steps;

  public AdapterResult(INDArray trainableParams, INDArray updaterState, double lossSum, long examples, int steps) {
    super(trainableParams, updaterState, lossSum, null, null, null);
    this.examples = examples;
    this.steps = steps;
  }

  public long examples() {
    return examples;
  }

  public int steps() {
    return steps;
  }
}
