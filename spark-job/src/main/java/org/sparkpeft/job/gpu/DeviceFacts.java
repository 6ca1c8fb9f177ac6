package org.sparkpeft.job.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@code doctor} reports about one JVM's devices: the CUDA version ND4J's CUDA backend was built with and
 * every GPU it sees with its memory (from ND4J's environment information), or that the CPU backend runs.
 */
public final class DeviceFacts {

  private DeviceFacts() {}

  /** One line, e.g. "CUDA 11.6, 2 GPUs: 0 NVIDIA A10 (22.1 GiB, 21.8 GiB free); 1 ...", or "none: ND4J CPU backend". */
  public static String ofThisJvm() {
    try {
      Environment env = Nd4j.getEnvironment();
      if (env.isCPU()) {
        return "none: ND4J CPU backend";
      }
      String cuda = env.blasMajorVersion() + "." + env.blasMinorVersion();
      return "CUDA " + cuda + ", " + describe(Nd4j.getExecutioner().getEnvironmentInformation());
    } catch (Throwable t) {
      return "unknown (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
    }
  }

  /** The GPUs in ND4J's CUDA environment information ({@code cuda.devicesInformation}). */
  static String describe(Properties info) {
    Object list = info.get("cuda.devicesInformation");
    List<String> devices = new ArrayList<>();
    if (list instanceof List<?> entries) {
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i) instanceof Map<?, ?> device) {
          devices.add(i + " " + device.get("cuda.deviceName") + " (" + gib(device.get("cuda.totalMemory")) + ", "
              + gib(device.get("cuda.freeMemory")) + " free, compute " + device.get("cuda.deviceMajor") + "."
              + device.get("cuda.deviceMinor") + ")");
        }
      }
    }
    return devices.size() + " GPU" + (devices.size() == 1 ? "" : "s") + (devices.isEmpty() ? "" : ": " + String.join("; ", devices));
  }

  private static String gib(Object bytes) {
    if (bytes instanceof Number n) {
      return String.format(Locale.ROOT, "%.1f GiB", n.doubleValue() / (1L << 30));
    }
    return "? GiB";
  }
}
