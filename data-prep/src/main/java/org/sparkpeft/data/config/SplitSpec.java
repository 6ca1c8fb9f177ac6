package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.UserError;

/**
 * Train/val/test ratios and the seed of the deterministic split.
 */
public record SplitSpec(long seed, double train, double val, double test) implements Serializable {

  public SplitSpec {
    for (double r : new double[] {train, val, test}) {
      if (!(r >= 0 && r <= 1)) {
        throw new UserError("split.train, split.val and split.test must lie in [0, 1], got " + train
            + ", " + val + ", " + test + ".");
      }
    }
    if (Math.abs(train + val + test - 1.0) > 1e-6) {
      throw new UserError("split.train + split.val + split.test must add up to 1, got " + train + " + "
          + val + " + " + test + ".");
    }
    if (train == 0) {
      throw new UserError("split.train must be above 0.");
    }
  }
}
