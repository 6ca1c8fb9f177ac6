package org.sparkpeft.job.train;

import java.io.Serializable;

/** The two messages of a round: what the driver broadcasts and what each worker sends back. Plain classes for Kryo. */
public final class RoundMessages {

  private RoundMessages() {}

  /** Broadcast at the start of a round: trainable parameters, updater state, global step. */
  public static final class State implements Serializable {
    float[] params;
    float[] updater;
    int iteration;
    int epoch;

    public State() {
    }

    State(float[] params, float[] updater, int iteration, int epoch) {
      this.params = params;
      this.updater = updater;
      this.iteration = iteration;
      this.epoch = epoch;
    }

    long bytes() {
      return 4L * (params.length + updater.length);
    }
  }

  /** A worker's result: its trainable parameters and updater state after its minibatches, and its loss. */
  public static final class Result implements Serializable {
    float[] params;
    float[] updater;
    double lossSum;
    long examples;
    int steps;

    public Result() {
    }

    Result(float[] params, float[] updater, double lossSum, long examples, int steps) {
      this.params = params;
      this.updater = updater;
      this.lossSum = lossSum;
      this.examples = examples;
      this.steps = steps;
    }

    long bytes() {
      return 4L * (params.length + updater.length);
    }
  }
}
