package org.sparkpeft.job.gpu;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.job.model.NativeThreads;

/**
 * The device a Spark task computes on. {@link #bind()} runs in the task before it touches a model: with a GPU
 * assigned by Spark ({@code TaskContext.resources()}) it binds ND4J to it ({@link DeviceBinding}); without one it
 * sizes the CPU backend's native threads to the task ({@link NativeThreads}); CPU-only settings are skipped on
 * the CUDA backend. The returned key keys the per-executor model caches, since a model's arrays live on one device:
 * {@code "gpu:N"} for Spark's GPU N, {@code "cpu"} on the CPU backend, and on the CUDA backend without a GPU from
 * Spark (local mode) {@code "cuda:N"} for the device ND4J gave the thread.
 */
public final class TaskDevice {

  public static final String CPU = "cpu";

  private static final Logger LOG = LoggerFactory.getLogger(TaskDevice.class);
  private static volatile DeviceBinding binding;
  private static final ThreadLocal<String> LAST = new ThreadLocal<>();

  private TaskDevice() {}

  /** Binds the calling task's thread to its device and returns the device's key (outside a task: no binding). */
  public static String bind() {
    String address = assignedGpu();
    if (address == null) {
      if (Nd4j.getEnvironment().isCPU()) {
        NativeThreads.matchTaskCpus();
      }
      return unassigned();
    }
    int ordinal = ordinal(address, System.getenv("CUDA_VISIBLE_DEVICES"));
    String done = binding().bind(ordinal);
    LAST.set(done);
    LOG.debug("task {}: GPU {} {}", TaskContext.get().taskAttemptId(), address, done);
    return key(address);
  }

  /** The key of the calling task's device, without binding (to give pooled objects back). */
  public static String current() {
    String address = assignedGpu();
    return address == null ? unassigned() : key(address);
  }

  /** The GPU address Spark assigned to the calling task (the first when it holds several), or null. */
  public static String assignedGpu() {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return null;
    }
    ResourceInformation gpu = task.resourcesJMap().get(GpuRequest.RESOURCE);
    if (gpu == null || gpu.addresses().length == 0) {
      return null;
    }
    return gpu.addresses()[0];
  }

  /**
   * The CUDA ordinal of the GPU Spark calls {@code address} (an nvidia-smi index, as conf/gpu-discovery.sh prints):
   * the address itself, or its position in {@code cudaVisibleDevices} when that lists indexes (CUDA renumbers the
   * visible devices from 0).
   */
  static int ordinal(String address, String cudaVisibleDevices) {
    int index;
    try {
      index = Integer.parseInt(address.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark assigned GPU address '" + address + "', which is not a device index; "
          + "the discovery script (" + GpuRequest.SPARK_DISCOVERY_SCRIPT + ") must print nvidia-smi indexes.");
    }
    if (cudaVisibleDevices == null || cudaVisibleDevices.isBlank()) {
      return index;
    }
    List<String> visible = Arrays.stream(cudaVisibleDevices.split(",")).map(String::trim).toList();
    if (!visible.stream().allMatch(v -> v.matches("\\d+"))) {
      return index;
    }
    int position = visible.indexOf(Integer.toString(index));
    if (position < 0) {
      throw new IllegalStateException("Spark assigned GPU " + index + " but CUDA_VISIBLE_DEVICES=" + cudaVisibleDevices
          + " hides it from this executor; let the discovery script print only the visible GPUs.");
    }
    return position;
  }

  private static String unassigned() {
    return Nd4j.getEnvironment().isCPU() ? CPU : "cuda:" + Nd4j.getAffinityManager().getDeviceForCurrentThread();
  }

  private static String key(String address) {
    return "gpu:" + address;
  }

  private static DeviceBinding binding() {
    DeviceBinding b = binding;
    if (b == null) {
      synchronized (TaskDevice.class) {
        if (binding == null) {
          SparkEnv env = SparkEnv.get();
          boolean allow = env != null && env.conf().getBoolean(GpuRequest.ALLOW_CPU_BACKEND, false);
          binding = DeviceBinding.forLoadedBackend(allow);
        }
        b = binding;
      }
    }
    return b;
  }

  /** What the calling thread's last {@link #bind()} did with a GPU (e.g. "bound to CUDA device 1"), or null. */
  public static String lastBinding() {
    return LAST.get();
  }

  /** Every device this JVM's CPU backend recorded instead of binding (the test switch); empty on CUDA. */
  public static List<Integer> recordedOnCpu() {
    return CpuBackendBinding.recorded();
  }
}
