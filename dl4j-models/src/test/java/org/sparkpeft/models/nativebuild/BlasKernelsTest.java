package org.sparkpeft.models.nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernels chosen from a CPU's flags, and that the OpenBLAS ND4J loaded in this JVM runs the kernels that
 * {@link BlasKernels#apply()} set (or found) before it loaded: were the variable set after the library read it,
 * OpenBLAS would report its own detection (on a Zen 4 {@code Zen}, on a Zen 5 {@code Barcelona}) instead. The test
 * JVMs run without the machine's OPENBLAS_CORETYPE (the poms exclude it), so here sparkpeft chooses.
 */
class BlasKernelsTest {

  @Test
  void choosesFromTheFlags() {
    assertEquals("SkylakeX", BlasKernels.coreTypeFor(
        Set.of("sse4_2", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd")));
    // AVX-512 without the BW/DQ/VL subsets (Knights Landing): the SkylakeX kernels would fault; AVX2 is there
    assertEquals("Haswell", BlasKernels.coreTypeFor(Set.of("avx2", "fma", "avx512f", "avx512cd")));
    assertEquals("Haswell", BlasKernels.coreTypeFor(Set.of("sse4_2", "avx", "avx2", "fma")));
    assertNull(BlasKernels.coreTypeFor(Set.of("avx2")));
    assertNull(BlasKernels.coreTypeFor(Set.of("sse4_2", "avx")));
    assertNull(BlasKernels.coreTypeFor(Set.of()));
  }

  @Test
  void theLoadedLibraryRunsTheKernelsSetBeforeItLoaded() {
    Nd4j.create(2, 2).mmul(Nd4j.create(2, 2)); // ND4J's backend lookup ran apply(), then its natives loaded
    String described = BlasKernels.describe();
    assertNotNull(described);
    String loaded = BlasKernels.loaded();
    assertNotNull(loaded, "no OpenBLAS found mapped into this JVM");
    assertTrue(loaded.startsWith("OpenBLAS 0."), loaded);
    String expected = BlasKernels.coreTypeFor(NativeBuild.cpuFlags());
    String given = System.getenv(BlasKernels.VARIABLE);
    if (given != null && !given.isBlank()) {
      expected = given.trim();
    }
    if (expected == null) {
      assertTrue(described.contains("unset"), described);
      return;
    }
    assertTrue(described.startsWith(BlasKernels.VARIABLE + "=" + expected + " "), described);
    String kernels = loaded.substring(loaded.indexOf("kernels ") + 8);
    assertEquals(expected.toLowerCase(Locale.ROOT), kernels.toLowerCase(Locale.ROOT), loaded + " / " + described);
  }
}
