package org.sparkpeft.job.train;

import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a round, instead of DL4J's {@code NetBroadcastTuple} (configuration +
 * all parameters + updater state): only the trainable parameters and the updater state, the step counters the
 * learning-rate schedule and Adam's bias correction read, the seed of the round's randomness, and what a worker
 * checks its cached graph against (the driver's trainable slice and the frozen parameters' checksum). Plain fields,
 * no INDArray: Kryo stores it without a registrator, and a worker only ever copies out of it (in local mode every
 * task shares the driver's object).
 */
public final class AdapterState implements Serializable {

  private static final long serialVersionUID = 1L;

  float[] params;
  float[] updater;
  /** The global step count before this round ({@code (round - 1) * averagingFrequency}). */
  int iteration;
  /** 0-based epoch. */
  int epoch;
  /** 1-based round over the whole run. */
  int round;
  long seed;
  String frozenChecksum;
  TrainableSlice slice;

  /** For serialisation. */
  public AdapterState() {
  }

  AdapterState(float[] params, float[] updater, int iteration, int epoch, int round, long seed, String frozenChecksum,
               TrainableSlice slice) {
    this.params = params;
    this.updater = updater;
    this.iteration = iteration;
    this.epoch = epoch;
    this.round = round;
    this.seed = seed;
    this.frozenChecksum = frozenChecksum;
    this.slice = slice;
  }

  /**
   * The seed of a worker's randomness (dropout masks) in this round: a pure function of (seed, epoch, round,
   * partition), so a retried task, a resumed run and an uninterrupted run draw the same masks.
   */
  static long taskSeed(long seed, int epoch, int round, int partition) {
    long h = seed;
    h = mix(h ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
    h = mix(h ^ (0xC2B2AE3D27D4EB4FL * (round + 1L)));
    h = mix(h ^ (0x165667B19E3779F9L * (partition + 1L)));
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
