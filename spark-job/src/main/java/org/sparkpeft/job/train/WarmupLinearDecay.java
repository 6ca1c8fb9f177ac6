package org.sparkpeft.job.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate with linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then linear decay to 0 at
 * {@code totalSteps} (the schedule of Hugging Face's {@code get_linear_schedule_with_warmup}).
 */
public class WarmupLinearDecay implements ISchedule {

  private double peak;
  private int warmupSteps;
  private int totalSteps;

  /** For JSON deserialisation. */
  public WarmupLinearDecay() {
  }

  public WarmupLinearDecay(double peak, int warmupSteps, int totalSteps) {
    if (totalSteps < 1 || warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("need 0 <= warmup (" + warmupSteps + ") <= total (" + totalSteps + ") steps");
    }
    this.peak = peak;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < warmupSteps) {
      return peak * (iteration + 1) / warmupSteps;
    }
    double remaining = (double) (totalSteps - iteration) / Math.max(1, totalSteps - warmupSteps);
    return peak * Math.max(0.0, remaining);
  }

  @Override
  public ISchedule clone() {
    return new WarmupLinearDecay(peak, warmupSteps, totalSteps);
  }

  public double getPeak() {
    return peak;
  }

  public void setPeak(double peak) {
    this.peak = peak;
  }

  public int getWarmupSteps() {
    return warmupSteps;
  }

  public void setWarmupSteps(int warmupSteps) {
    this.warmupSteps = warmupSteps;
  }

  public int getTotalSteps() {
    return totalSteps;
  }

  public void setTotalSteps(int totalSteps) {
    this.totalSteps = totalSteps;
  }
}
