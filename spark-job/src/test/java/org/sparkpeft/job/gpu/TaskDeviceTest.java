package org.sparkpeft.job.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class TaskDeviceTest {

  @Test
  void sparksAddressIsTheCudaOrdinalRenumberedThroughCudaVisibleDevices() {
    assertEquals(1, TaskDevice.ordinal("1", null));
    assertEquals(3, TaskDevice.ordinal(" 3 ", ""));
    assertEquals(0, TaskDevice.ordinal("2", "2,3"));
    assertEquals(1, TaskDevice.ordinal("3", "2, 3"));
    assertEquals(3, TaskDevice.ordinal("3", "GPU-8f0c2d7e"), "UUIDs cannot be mapped: the address is used");
    IllegalStateException hidden = assertThrows(IllegalStateException.class, () -> TaskDevice.ordinal("1", "2,3"));
    assertEquals("Spark assigned GPU 1 but CUDA_VISIBLE_DEVICES=2,3 hides it from this executor; let the discovery "
        + "script print only the visible GPUs.", hidden.getMessage());
    IllegalStateException name = assertThrows(IllegalStateException.class, () -> TaskDevice.ordinal("gpu0", null));
    assertTrue(name.getMessage().contains("spark.executor.resource.gpu.discoveryScript"), name.getMessage());
  }

  @Test
  void outsideATaskNothingIsBoundAndTheCpuBackendKeysTheCacheAsCpu() {
    assertNull(TaskDevice.assignedGpu());
    assertEquals(TaskDevice.CPU, TaskDevice.bind());
    assertEquals(TaskDevice.CPU, TaskDevice.current());
  }

  @Test
  void theCpuBackendRefusesAGpuUnlessRecordingIsAllowed() {
    DeviceBinding refusing = DeviceBinding.forLoadedBackend(false);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> refusing.bind(0));
    assertEquals("GPU requested (spark.task.resource.gpu.amount or spark.sparkpeft.gpu.task-amount) but this executor "
        + "runs ND4J's CPU backend; build the CUDA job jar with mvn -Pcuda and run with bin/sparkpeft --gpu (or submit "
        + "spark-job/target/sparkpeft-job-cuda.jar).", refused.getMessage());

    DeviceBinding recording = DeviceBinding.forLoadedBackend(true);
    int before = CpuBackendBinding.recorded().size();
    assertEquals("recorded GPU 7 (CPU backend, spark.sparkpeft.gpu.allow-cpu-backend=true)", recording.bind(7));
    List<Integer> recorded = CpuBackendBinding.recorded();
    assertEquals(before + 1, recorded.size());
    assertEquals(7, recorded.get(recorded.size() - 1));
  }
}
