package org.sparkpeft.job.gpu;

import org.apache.spark.SparkConf;
import org.sparkpeft.data.UserError;

/**
 * What a job asks of GPUs, read from its Spark conf. Two ways to ask:
 * <ul>
 *   <li>{@code spark.task.resource.gpu.amount} (Spark's own): every task of every stage holds a GPU, data
 *       preparation included;</li>
 *   <li>{@value #TASK_AMOUNT}: only the stages that run the model (training, evaluation, embedding, doctor's
 *       probe) ask for GPUs, through a stage-level resource profile ({@link GpuStages}); the others run on
 *       CPU slots. Without dynamic allocation the executors must have GPUs
 *       ({@code spark.executor.resource.gpu.amount}); with it, GPU executors ({@value #EXECUTOR_AMOUNT} each)
 *       are started for those stages only.</li>
 * </ul>
 *
 * @param taskAmount GPUs per model task (Spark allows fractions below 1 to share a GPU), 0 when none is asked for
 * @param everyStage true when Spark's own task amount asks for it, so no stage profile is needed
 * @param executorAmount GPUs of the executors started for model stages under dynamic allocation
 * @param allowCpuBackend the test and diagnostic switch {@value #ALLOW_CPU_BACKEND}
 */
public record GpuRequest(double taskAmount, boolean everyStage, int executorAmount, boolean allowCpuBackend) {

  public static final String RESOURCE = "gpu";
  public static final String SPARK_TASK_AMOUNT = "spark.task.resource.gpu.amount";
  public static final String SPARK_EXECUTOR_AMOUNT = "spark.executor.resource.gpu.amount";
  public static final String SPARK_DISCOVERY_SCRIPT = "spark.executor.resource.gpu.discoveryScript";
  public static final String TASK_AMOUNT = "spark.sparkpeft.gpu.task-amount";
  public static final String EXECUTOR_AMOUNT = "spark.sparkpeft.gpu.executor-amount";
  public static final String ALLOW_CPU_BACKEND = "spark.sparkpeft.gpu.allow-cpu-backend";

  public GpuRequest {
    if (taskAmount < 0) {
      throw new IllegalArgumentException("taskAmount must be >= 0, got " + taskAmount);
    }
  }

  /** Reads the request; a malformed amount is a {@link UserError} naming its key. */
  public static GpuRequest of(SparkConf conf) {
    double spark = amount(conf, SPARK_TASK_AMOUNT);
    double ours = amount(conf, TASK_AMOUNT);
    double executor = conf.contains(EXECUTOR_AMOUNT) ? amount(conf, EXECUTOR_AMOUNT) : Math.max(1, Math.ceil(ours));
    if (executor != Math.rint(executor) || executor < 1) {
      throw new UserError(EXECUTOR_AMOUNT + " must be a whole number of GPUs of at least 1, got '"
          + conf.get(EXECUTOR_AMOUNT) + "'.");
    }
    boolean allow = conf.getBoolean(ALLOW_CPU_BACKEND, false);
    return spark > 0 ? new GpuRequest(spark, true, (int) executor, allow) : new GpuRequest(ours, false, (int) executor, allow);
  }

  /** Whether model tasks hold GPUs. */
  public boolean requested() {
    return taskAmount > 0;
  }

  /** Whether model stages need a stage-level profile (GPUs asked for by {@value #TASK_AMOUNT} only). */
  public boolean needsStageProfile() {
    return requested() && !everyStage;
  }

  private static double amount(SparkConf conf, String key) {
    if (!conf.contains(key)) {
      return 0;
    }
    String value = conf.get(key).trim();
    try {
      double amount = Double.parseDouble(value);
      if (amount < 0 || Double.isNaN(amount) || Double.isInfinite(amount)) {
        throw new NumberFormatException();
      }
      return amount;
    } catch (NumberFormatException e) {
      throw new UserError(key + " must be a number of GPUs such as 1 or 0.5, got '" + value + "'.");
    }
  }
}
