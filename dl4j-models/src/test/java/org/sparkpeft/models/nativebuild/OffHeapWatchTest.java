package org.sparkpeft.models.nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OffHeapWatchTest {

  private static final long MB = 1024 * 1024;

  @Test
  void deadNd4jArraysBeyondTheSlackAreCollectedAndTheirMemoryFreed() throws Exception {
    assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 0.0);
    assertNotNull(OffHeapWatch.describe(), "the backend lookup started the JVM's watch");
    // 16 arrays of 32 MB stay reachable (512 MB, below the slack: no collection can race the measurement), then
    // die; 4 more, dead at once, take the growth past the slack
    OffHeapWatch watch = new OffHeapWatch(600 * MB);
    watch.startThread();
    long before = OffHeapWatch.residentBytes();
    List<INDArray> held = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      held.add(Nd4j.create(DataType.FLOAT, 8 * MB).assign(1)); // only their Java objects are tiny
    }
    long peak = OffHeapWatch.residentBytes();
    assertTrue(peak - before > 400 * MB, "the arrays are resident: " + (peak - before) / MB + " MB");
    held.clear();
    for (int i = 0; i < 4; i++) {
      Nd4j.create(DataType.FLOAT, 8 * MB).assign(1);
    }
    // the watch may collect while the 4 are made (that is its job): the peak is the larger of the two readings
    peak = Math.max(peak, OffHeapWatch.residentBytes());
    long deadline = System.currentTimeMillis() + 15_000;
    while (watch.collections() == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(watch.collections() >= 1, "no collection after " + (peak - before) / MB + " MB of dead arrays");
    Thread.sleep(OffHeapWatch.SETTLE_MILLIS + OffHeapWatch.POLL_MILLIS);
    long after = OffHeapWatch.residentBytes();
    assertTrue(peak - after > 300 * MB, "freed " + (peak - after) / MB + " MB of the " + (peak - before) / MB
        + " (resident " + OffHeapWatch.residentBytes() / MB + " MB, heap " + Runtime.getRuntime().totalMemory() / MB
        + " MB, collections " + watch.collections() + ")");
  }

  @Test
  void theSlackIsASizeWithAUnit() {
    assertEquals(1024 * MB, OffHeapWatch.parseBytes("1024m"));
    assertEquals(2048 * MB, OffHeapWatch.parseBytes(" 2G "));
    assertEquals(0, OffHeapWatch.parseBytes("0"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OffHeapWatch.parseBytes("lots"));
    assertTrue(e.getMessage().contains(OffHeapWatch.SLACK_PROPERTY), e.getMessage());
  }
}
