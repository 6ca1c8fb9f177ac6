package org.sparkpeft.models.bert.layers;

import java.util.Objects;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A learning-rate schedule that is another updater's rate (its schedule included) times a factor: how a layer gives
 * some of its parameters a multiple of the rate of the others ({@link #scale}) without knowing the updater's type.
 */
public final class ScaledRate implements ISchedule {

  private final IUpdater base;
  private final double factor;

  @JsonCreator
  public ScaledRate(@JsonProperty("base") IUpdater base, @JsonProperty("factor") double factor) {
    if (base == null || !base.hasLearningRate()) {
      throw new IllegalArgumentException("only an updater with a learning rate can be scaled, got " + base);
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("a rate factor must be a positive number, got " + factor);
    }
    this.base = base.clone();
    this.factor = factor;
  }

  /** A copy of {@code updater} whose rate is {@code factor} times its own at every step; itself for factor 1. */
  public static IUpdater scale(IUpdater updater, double factor) {
    if (factor == 1 || !updater.hasLearningRate()) {
      return updater;
    }
    IUpdater scaled = updater.clone();
    scaled.setLrAndSchedule(updater.getLearningRate(0, 0) * factor, new ScaledRate(updater, factor));
    return scaled;
  }

  @JsonProperty("base")
  public IUpdater getBase() {
    return base.clone();
  }

  @JsonProperty("factor")
  public double getFactor() {
    return factor;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    return base.getLearningRate(iteration, epoch) * factor;
  }

  @Override
  public ISchedule clone() {
    return new ScaledRate(base, factor);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScaledRate other && other.factor == factor && other.base.equals(base);
  }

  @Override
  public int hashCode() {
    return Objects.hash(base, factor);
  }

  @Override
  public String toString() {
    return factor + " x " + base;
  }
}
