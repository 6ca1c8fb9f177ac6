package org.sparkpeft.job.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class DeviceFactsTest {

  @Test
  void theCpuBackendSaysSo() {
    assertEquals("none: ND4J CPU backend", DeviceFacts.ofThisJvm());
  }

  @Test
  void cudaDevicesAreListedWithTheirMemoryFromNd4jsEnvironmentInformation() {
    Properties info = new Properties();
    info.put("cuda.availableDevices", 2);
    info.put("cuda.devicesInformation", List.of(
        Map.of("cuda.deviceName", "NVIDIA A10", "cuda.totalMemory", 23_609_475_072L, "cuda.freeMemory", 23_000_000_000L,
            "cuda.deviceMajor", 8, "cuda.deviceMinor", 6),
        Map.of("cuda.deviceName", "NVIDIA T4", "cuda.totalMemory", 16L << 30, "cuda.freeMemory", 15L << 30,
            "cuda.deviceMajor", 7, "cuda.deviceMinor", 5)));
    assertEquals("2 GPUs: 0 NVIDIA A10 (22.0 GiB, 21.4 GiB free, compute 8.6); "
        + "1 NVIDIA T4 (16.0 GiB, 15.0 GiB free, compute 7.5)", DeviceFacts.describe(info));
    assertEquals("0 GPUs", DeviceFacts.describe(new Properties()));
  }
}
