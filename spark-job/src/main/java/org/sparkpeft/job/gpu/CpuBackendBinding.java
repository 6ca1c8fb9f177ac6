package org.sparkpeft.job.gpu;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ND4J's CPU backend has no device to bind. A GPU request there is a mistake (the CPU job jar on GPU executors),
 * refused in one sentence, unless {@value GpuRequest#ALLOW_CPU_BACKEND} is set: a test and diagnostic switch under
 * which the binding records each requested device instead (this JVM's {@link #recorded()}, and a log line), so that
 * the scheduling and binding path can be checked on machines without GPUs.
 */
final class CpuBackendBinding implements DeviceBinding {

  static final String REFUSAL = "GPU requested (spark.task.resource.gpu.amount or " + GpuRequest.TASK_AMOUNT
      + ") but this executor runs ND4J's CPU backend; build the CUDA job jar with mvn -Pcuda and run with "
      + "bin/sparkpeft --gpu (or submit spark-job/target/sparkpeft-job-cuda.jar).";

  private static final Logger LOG = LoggerFactory.getLogger(CpuBackendBinding.class);
  private static final List<Integer> RECORDED = new CopyOnWriteArrayList<>();

  private final boolean allowed;

  CpuBackendBinding(boolean allowed) {
    this.allowed = allowed;
  }

  @Override
  public String bind(int ordinal) {
    if (!allowed) {
      throw new IllegalStateException(REFUSAL);
    }
    RECORDED.add(ordinal);
    LOG.info("GPU {} recorded, not bound: ND4J's CPU backend ({}=true)", ordinal, GpuRequest.ALLOW_CPU_BACKEND);
    return "recorded GPU " + ordinal + " (CPU backend, " + GpuRequest.ALLOW_CPU_BACKEND + "=true)";
  }

  /** Every device this JVM was asked to bind, in order. */
  static List<Integer> recorded() {
    return List.copyOf(RECORDED);
  }
}
