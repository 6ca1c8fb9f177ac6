package org.sparkpeft.models.train;

/**
 * How long and in which order {@link FineTuning#fit} trains.
 *
 * @param epochs passes over the batches (>= 1)
 * @param maxSteps stop after this many optimizer steps in total; 0 = no limit
 * @param shuffleSeed each epoch visits the batches in an order shuffled with this seed (+ epoch); -1 = in order
 */
public record FitOptions(int epochs, int maxSteps, long shuffleSeed) {

  public FitOptions {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0 (0 = no limit), got " + maxSteps);
    }
    if (shuffleSeed < -1) {
      throw new IllegalArgumentException("shuffleSeed must be >= 0, or -1 for no shuffling, got " + shuffleSeed);
    }
  }

  public static FitOptions epochs(int epochs) {
    return new FitOptions(epochs, 0, -1);
  }
}
