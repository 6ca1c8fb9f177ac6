package org.sparkpeft.job.cli;

import org.apache.spark.SparkEnv;
import org.sparkpeft.job.gpu.DeviceFacts;
import org.sparkpeft.job.gpu.TaskDevice;

/**
 * What one of {@code doctor}'s probe tasks saw of its device: the JVM it ran in, the GPU Spark assigned it (or
 * "-"), what binding ND4J to it did (or why it failed), and the devices that JVM sees. One tab-separated line.
 */
record TaskProbe(String jvm, String gpu, boolean ok, String binding, String devices) {

  private static final String NONE = "-";

  /** Runs in a task: binds the task to its device the way every model task does. */
  static TaskProbe run() {
    String jvm = (SparkEnv.get() == null ? "driver" : "executor " + SparkEnv.get().executorId())
        + " pid " + ProcessHandle.current().pid();
    String gpu = TaskDevice.assignedGpu();
    boolean ok = true;
    String binding;
    try {
      String device = TaskDevice.bind();
      binding = gpu == null ? "no GPU assigned (" + device + ")" : TaskDevice.lastBinding();
    } catch (RuntimeException | LinkageError e) {
      ok = false;
      binding = e.getMessage() != null ? e.getMessage() : e.toString();
    }
    return new TaskProbe(jvm, gpu == null ? NONE : gpu, ok, clean(binding), clean(DeviceFacts.ofThisJvm()));
  }

  boolean hasGpu() {
    return !gpu.equals(NONE);
  }

  String toLine() {
    return String.join("\t", jvm, gpu, Boolean.toString(ok), binding, devices);
  }

  static TaskProbe fromLine(String line) {
    String[] f = line.split("\t", -1);
    return new TaskProbe(f[0], f[1], Boolean.parseBoolean(f[2]), f[3], f[4]);
  }

  private static String clean(String text) {
    return String.valueOf(text).replace('\t', ' ').replace('\n', ' ');
  }
}
