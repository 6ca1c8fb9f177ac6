package org.sparkpeft.job.train.defaults;

import java.util.ArrayList;
import java.util.List;

/**
 * Class weights of the loss. Balanced weights are {@code w[c] = N / (K n[c])} (N train rows, K classes, n[c] rows
 * of class c; a class without rows counts as one row): every class then weighs as much in the loss as any other, and
 * the mean weight over the training rows is exactly 1, so the loss keeps its scale and the learning rate its
 * meaning. Weighting the loss is chosen over balanced sampling because it keeps the batches, their order and the
 * learning-rate schedule a pure function of the data and the seed, and sees every row once per epoch.
 */
public final class ClassWeightRule {

  /** {@code auto} turns balanced weights on above this ratio of the largest class's rows to the smallest's. */
  public static final double AUTO_RATIO = 3.0;

  private ClassWeightRule() {}

  /** Largest class's rows over the smallest's (a class without rows counts as one row). */
  public static double imbalance(long[] counts) {
    long most = 0;
    long least = Long.MAX_VALUE;
    for (long n : counts) {
      most = Math.max(most, n);
      least = Math.min(least, Math.max(1, n));
    }
    return most / (double) least;
  }

  public static boolean unbalanced(long[] counts) {
    return imbalance(counts) > AUTO_RATIO;
  }

  /** {@code N / (K n[c])} per class. */
  public static List<Double> balanced(long[] counts) {
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    List<Double> weights = new ArrayList<>();
    for (long n : counts) {
      weights.add(total / ((double) counts.length * Math.max(1, n)));
    }
    return weights;
  }
}
