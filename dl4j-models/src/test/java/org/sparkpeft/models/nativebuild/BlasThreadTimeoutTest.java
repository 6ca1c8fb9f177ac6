package org.sparkpeft.models.nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's backend lookup runs {@link BlasThreadTimeout#apply()} before OpenBLAS loads: the process environment then
 * holds {@value BlasThreadTimeout#VARIABLE} (read back through libc's getenv, which OpenBLAS reads too), the value
 * the JVM was started with where there was one.
 */
class BlasThreadTimeoutTest {

  @Test
  void theProcessEnvironmentHoldsTheTimeoutOnceNd4jIsUp() {
    assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 0.0);
    String described = BlasThreadTimeout.describe();
    assertNotNull(described, "the backend lookup ran apply()");
    String started = System.getenv(BlasThreadTimeout.VARIABLE); // the JVM's copy: its environment at start
    String now = (String) NativeLibrary.getInstance("c").getFunction("getenv")
        .invoke(String.class, new Object[] {BlasThreadTimeout.VARIABLE});
    if (started == null) {
      assertEquals(BlasThreadTimeout.DEFAULT, now);
      assertTrue(described.contains("set by sparkpeft"), described);
    } else {
      assertEquals(started, now, "a value from the environment is kept");
      assertTrue(described.contains("set in the environment"), described);
    }
    assertEquals(described, BlasThreadTimeout.apply(), "a second call changes nothing");
  }
}
