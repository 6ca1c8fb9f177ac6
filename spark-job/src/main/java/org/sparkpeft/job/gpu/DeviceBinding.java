package org.sparkpeft.job.gpu;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Binds the calling thread's ND4J work to one GPU. A Spark task calls it (through {@link TaskDevice}) with the GPU
 * Spark assigned it, before it touches a model. ND4J's device affinity is per thread and Spark reuses task threads,
 * so every task binds again.
 */
public interface DeviceBinding {

  /** Binds the calling thread to the CUDA device {@code ordinal}; returns what was done, for logs and doctor. */
  String bind(int ordinal);

  /** The binding for the ND4J backend this JVM loaded: CUDA binds; CPU refuses, or records when allowed. */
  static DeviceBinding forLoadedBackend(boolean allowCpuBackend) {
    if (Nd4j.getEnvironment().isCPU()) {
      return new CpuBackendBinding(allowCpuBackend);
    }
    return new CudaDeviceBinding();
  }
}
