package org.sparkpeft.job.gpu;

import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ExecutorResourceRequests;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;

/**
 * Puts the stages that run the model on GPUs (see {@link GpuRequest}): {@link #onModelExecutors} gives the RDD
 * whose tasks touch the model the job's GPU resource profile, so that only those stages ask for GPUs. One profile
 * per SparkContext (Spark starts executors per profile under dynamic allocation, so a new one each round would
 * start new executors).
 */
public final class GpuStages {

  private static final Logger LOG = LoggerFactory.getLogger(GpuStages.class);
  private static final Map<SparkContext, Optional<ResourceProfile>> PROFILES = new WeakHashMap<>();

  private GpuStages() {}

  /**
   * {@code rdd} with the job's GPU profile when one is needed, after checking on the driver that the request can be
   * met ({@link #check}); otherwise {@code rdd} itself.
   */
  public static <T> JavaRDD<T> onModelExecutors(JavaRDD<T> rdd) {
    SparkContext sc = rdd.context();
    check(sc.getConf(), sc.master());
    return withProfile(rdd);
  }

  /** {@code rdd} with the job's GPU profile when one is needed, without the driver's checks (doctor reports instead). */
  public static <T> JavaRDD<T> withProfile(JavaRDD<T> rdd) {
    Optional<ResourceProfile> profile = profile(rdd.context());
    return profile.isPresent() ? rdd.withResources(profile.get()) : rdd;
  }

  /**
   * Refuses, in one sentence, a GPU request that cannot be met: the CPU job jar (unless
   * {@value GpuRequest#ALLOW_CPU_BACKEND}), or stage-level GPUs on executors that have none.
   */
  public static void check(SparkConf conf, String master) {
    GpuRequest request = GpuRequest.of(conf);
    if (!request.requested() || isLocal(master)) {
      return;
    }
    if (!request.allowCpuBackend() && Nd4j.getEnvironment().isCPU()) {
      throw new UserError("GPU requested (" + (request.everyStage() ? GpuRequest.SPARK_TASK_AMOUNT : GpuRequest.TASK_AMOUNT)
          + ") but the job jar carries ND4J's CPU backend; build the CUDA job jar with mvn -Pcuda and run with "
          + "bin/sparkpeft --gpu (or submit spark-job/target/sparkpeft-job-cuda.jar).");
    }
    if (request.needsStageProfile() && !dynamicAllocation(conf) && !conf.contains(GpuRequest.SPARK_EXECUTOR_AMOUNT)) {
      throw new UserError(GpuRequest.TASK_AMOUNT + " asks for GPUs per model task but the executors have none: set "
          + GpuRequest.SPARK_EXECUTOR_AMOUNT + " and " + GpuRequest.SPARK_DISCOVERY_SCRIPT
          + " (conf/spark-gpu.conf), or enable dynamic allocation.");
    }
  }

  /** The profile of model stages for {@code sc}, or empty when every stage already holds GPUs or none are asked for. */
  static synchronized Optional<ResourceProfile> profile(SparkContext sc) {
    return PROFILES.computeIfAbsent(sc, c -> build(c.getConf(), c.master()));
  }

  static Optional<ResourceProfile> build(SparkConf conf, String master) {
    GpuRequest request = GpuRequest.of(conf);
    if (!request.needsStageProfile()) {
      return Optional.empty();
    }
    if (isLocal(master)) {
      LOG.warn("{} is ignored on {}: local mode assigns no GPUs (ND4J uses its default device)",
          GpuRequest.TASK_AMOUNT, master);
      return Optional.empty();
    }
    ResourceProfileBuilder builder = new ResourceProfileBuilder();
    builder.require(new TaskResourceRequests().cpus(conf.getInt("spark.task.cpus", 1))
        .resource(GpuRequest.RESOURCE, request.taskAmount()));
    if (dynamicAllocation(conf)) {
      ExecutorResourceRequests executors = new ExecutorResourceRequests()
          .resource(GpuRequest.RESOURCE, request.executorAmount(), conf.get(GpuRequest.SPARK_DISCOVERY_SCRIPT, ""), "");
      if (conf.contains("spark.executor.cores")) {
        executors.cores(conf.getInt("spark.executor.cores", 1));
      }
      if (conf.contains("spark.executor.memory")) {
        executors.memory(conf.get("spark.executor.memory"));
      }
      builder.require(executors);
    }
    ResourceProfile profile = builder.build();
    LOG.info("model stages run with resource profile {} ({} GPU per task{})", profile.id(), request.taskAmount(),
        dynamicAllocation(conf) ? ", executors with " + request.executorAmount() + " GPU(s) started for them" : "");
    return Optional.of(profile);
  }

  /** Whether {@code master} is plain local mode, which assigns no resources to tasks. */
  public static boolean isLocal(String master) {
    return master == null || master.equals("local") || master.startsWith("local[");
  }

  private static boolean dynamicAllocation(SparkConf conf) {
    return conf.getBoolean("spark.dynamicAllocation.enabled", false);
  }
}
