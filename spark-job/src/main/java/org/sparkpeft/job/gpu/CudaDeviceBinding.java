package org.sparkpeft.job.gpu;

import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J's CUDA backend: {@code AffinityManager.unsafeSetDevice} for the calling thread, then checked. */
final class CudaDeviceBinding implements DeviceBinding {

  @Override
  public String bind(int ordinal) {
    AffinityManager affinity = Nd4j.getAffinityManager();
    int devices = affinity.getNumberOfDevices();
    if (ordinal < 0 || ordinal >= devices) {
      throw new IllegalStateException("Spark assigned GPU " + ordinal + " to this task but ND4J sees " + devices
          + " CUDA device(s) on this executor; the discovery script (spark.executor.resource.gpu.discoveryScript) "
          + "must print the indexes of GPUs this executor can use.");
    }
    affinity.unsafeSetDevice(ordinal);
    Integer bound = affinity.getDeviceForCurrentThread();
    if (bound == null || bound != ordinal) {
      throw new IllegalStateException("ND4J did not bind this task's thread to CUDA device " + ordinal
          + " (it reports device " + bound + ").");
    }
    return "bound to CUDA device " + ordinal;
  }
}
