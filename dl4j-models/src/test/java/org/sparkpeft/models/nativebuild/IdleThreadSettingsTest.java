package org.sparkpeft.models.nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's backend lookup runs {@link IdleThreadSettings#apply()} before OpenBLAS and OpenMP load: the process
 * environment then holds each of {@link IdleThreadSettings#DEFAULTS} (read back through libc's getenv, which the
 * libraries read too), the value the JVM was started with where there was one.
 */
class IdleThreadSettingsTest {

  @Test
  void theProcessEnvironmentHoldsEachSettingOnceNd4jIsUp() {
    assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 0.0);
    String described = IdleThreadSettings.describe();
    assertNotNull(described, "the backend lookup ran apply()");
    assertEquals(2, IdleThreadSettings.DEFAULTS.size());
    for (Map.Entry<String, String> e : IdleThreadSettings.DEFAULTS.entrySet()) {
      String variable = e.getKey();
      String started = System.getenv(variable); // the JVM's copy: its environment at start
      String now = (String) NativeLibrary.getInstance("c").getFunction("getenv")
          .invoke(String.class, new Object[] {variable});
      if (started == null) {
        assertEquals(e.getValue(), now, variable);
        assertTrue(described.contains(variable + "=" + e.getValue()), described);
        assertTrue(described.contains("set by sparkpeft"), described);
      } else {
        assertEquals(started, now, "a value from the environment is kept: " + variable);
        assertTrue(described.contains("set in the environment"), described);
      }
    }
    assertEquals(described, IdleThreadSettings.apply(), "a second call changes nothing");
  }
}
