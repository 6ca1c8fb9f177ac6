package org.sparkpeft.models.nativebuild;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;

/**
 * Which kernels the OpenBLAS under ND4J runs its matrix products with. ND4J 1.0.0-M2 bundles OpenBLAS 0.3.19, whose
 * run-time CPU detection only knows CPUs released before it: on a newer one it falls back to old generic kernels.
 * Measured on an AMD EPYC of family 26 (Zen 5), 2 cores, MiniLM LoRA training (batch 32, seq 64): OpenBLAS's own
 * choice there, {@code Barcelona} (SSE2 kernels), 19-21 examples/s; {@code Haswell} (AVX2) 29-35; {@code SkylakeX}
 * (AVX-512) 44-45 (seq 128: 24.8). On a Zen 4, which 0.3.19 detects as {@code Zen} (AVX2 kernels), SkylakeX ran the
 * model's GEMM shapes 5-9 % faster in a C probe.
 *
 * <p>OpenBLAS reads {@value #VARIABLE} once, when it loads, so {@link #apply()} sets it in this process's environment
 * (libc {@code setenv}) before ND4J loads its natives ({@link NativeBuildSelector} calls it), from the CPU's flags:
 * {@code SkylakeX} with AVX-512 F, BW, DQ, VL and CD (what those kernels use; what 0.3.19 picks itself on the Intel
 * AVX-512 CPUs it knows), {@code Haswell} with AVX2 and FMA, nothing otherwise (OpenBLAS detects). A value in the
 * environment is kept (an empty one counts as none); {@link #describe()} then also says what sparkpeft would choose.
 */
public final class BlasKernels {

  public static final String VARIABLE = "OPENBLAS_CORETYPE";

  private static final Set<String> AVX512 = Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd");
  private static final Set<String> AVX2 = Set.of("avx2", "fma");

  /** glibc's dlopen flags (dlfcn.h). */
  private static final int RTLD_LAZY = 0x1;
  private static final int RTLD_NOLOAD = 0x4;

  private static String described;

  private BlasKernels() {}

  /** The OpenBLAS core type for a CPU with {@code flags}, or null where OpenBLAS's own detection is left to choose. */
  static String coreTypeFor(Set<String> flags) {
    if (flags.containsAll(AVX512)) {
      return "SkylakeX";
    }
    if (flags.containsAll(AVX2)) {
      return "Haswell";
    }
    return null;
  }

  /** Sets {@value #VARIABLE} from this CPU's flags unless the environment has it; returns what {@link #describe} says. */
  public static synchronized String apply() {
    if (described == null) {
      String chosen = coreTypeFor(NativeBuild.cpuFlags());
      String given = System.getenv(VARIABLE);
      if (given != null && !given.isBlank()) {
        described = VARIABLE + "=" + given.trim() + " (set in the environment"
            + (chosen == null || chosen.equalsIgnoreCase(given.trim()) ? ")" : "; sparkpeft would choose " + chosen
            + " on this CPU)");
      } else if (chosen == null) {
        described = VARIABLE + " unset (no AVX2/FMA: OpenBLAS detects the CPU)";
      } else {
        String failure = IdleThreadSettings.setenv(VARIABLE, chosen, true);
        described = failure == null
            ? VARIABLE + "=" + chosen + " (chosen by sparkpeft from the CPU's flags)"
            : VARIABLE + " unset (" + failure + ": OpenBLAS detects the CPU)";
      }
    }
    return described;
  }

  /** What {@link #apply()} found or did, for {@code doctor}; null before it ran. */
  public static synchronized String describe() {
    return described;
  }

  /**
   * The loaded OpenBLAS's version and kernels, e.g. "OpenBLAS 0.3.19, kernels SkylakeX", asked (through JNA) of the
   * library ND4J already mapped into this process (found in /proc/self/maps, so no second copy loads); null where
   * no OpenBLAS is mapped (ND4J's natives not loaded yet, another BLAS) or it cannot be asked.
   */
  public static String loaded() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        String path = line.substring(line.lastIndexOf(' ') + 1);
        if (path.startsWith("/") && path.substring(path.lastIndexOf('/') + 1).startsWith("libopenblas")) {
          // only a handle on the copy already loaded (RTLD_NOLOAD), its scope unchanged: with JNA's default
          // flags (RTLD_GLOBAL among them) the running OpenBLAS lost track of its buffers ("Bad memory
          // unallocation" hundreds of times within a few training steps, then a SIGSEGV in its GEMM)
          NativeLibrary library = NativeLibrary.getInstance(path,
              Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
          String config = library.getFunction("openblas_get_config").invokeString(new Object[0], false);
          String core = library.getFunction("openblas_get_corename").invokeString(new Object[0], false);
          return config.split(" ")[0] + " " + config.split(" ")[1] + ", kernels " + core;
        }
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      return null;
    }
    return null;
  }
}
