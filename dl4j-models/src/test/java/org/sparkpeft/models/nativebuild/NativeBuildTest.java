package org.sparkpeft.models.nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class NativeBuildTest {

  private static final Set<String> ZEN4 = NativeBuild.parseFlags("processor\t: 0\nvendor_id\t: AuthenticAMD\n"
      + "flags\t\t: fpu sse sse2 avx f16c fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16\n"
      + "processor\t: 1\nflags\t\t: fpu\n");
  private static final Set<String> HASWELL = Set.of("sse2", "avx", "avx2", "fma", "f16c");
  private static final String AVX512_LIB = NativeBuild.BINDINGS + "linux-x86_64-avx512/libnd4jcpu.so";
  private static final String AVX2_LIB = NativeBuild.BINDINGS + "linux-x86_64-avx2/libnd4jcpu.so";

  @Test
  void flagsComeFromTheFirstFlagsLine() {
    assertTrue(ZEN4.containsAll(Set.of("avx512f", "avx512bw", "avx2", "fma")));
    assertEquals(Set.of(), NativeBuild.parseFlags("processor\t: 0\n"));
  }

  @Test
  void theMostSpecialisedBuildTheCpuRunsAndTheClasspathHolds() {
    Set<String> both = Set.of(AVX512_LIB, AVX2_LIB);
    assertEquals("-avx512", NativeBuild.extensionFor(ZEN4, "linux-x86_64", both::contains));
    assertEquals("-avx2", NativeBuild.extensionFor(HASWELL, "linux-x86_64", both::contains));
    // the CPU lacks AVX-512: never the AVX-512 build, even if it is the only one shipped
    assertEquals("", NativeBuild.extensionFor(HASWELL, "linux-x86_64", Set.of(AVX512_LIB)::contains));
    // the build is not on the classpath: the next one down, then the generic one
    assertEquals("-avx2", NativeBuild.extensionFor(ZEN4, "linux-x86_64", Set.of(AVX2_LIB)::contains));
    assertEquals("", NativeBuild.extensionFor(ZEN4, "linux-x86_64", path -> false));
    // no /proc/cpuinfo, or another platform: generic
    assertEquals("", NativeBuild.extensionFor(Set.of(), "linux-x86_64", both::contains));
    assertEquals("", NativeBuild.extensionFor(ZEN4, "macosx-x86_64", both::contains));
  }

  @Test
  void theLoadedBuildIsTheOneSelectedBeforeNd4jLoaded() {
    Nd4j.create(1); // loads the natives (if no earlier test did)
    String selected = System.getProperty(NativeBuild.PROPERTY);
    assertNotNull(selected, "the selector ran when ND4J looked for its backend and set " + NativeBuild.PROPERTY);
    String loaded = NativeBuild.loaded();
    assertEquals(NativeBuild.platform() + selected, loaded);
    assertTrue(NativeBuild.describe().startsWith(loaded + " ("), NativeBuild.describe());
  }
}
