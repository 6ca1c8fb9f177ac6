package org.sparkpeft.models.nativebuild;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * How long OpenBLAS's idle worker threads spin before they sleep. OpenBLAS (the BLAS under ND4J's CPU backend)
 * keeps each worker busy-waiting for the next job for 2^28 cycles (~0.1 s) after every product unless the
 * environment variable {@value #VARIABLE} says otherwise. A training step alternates GEMMs with ND4J and Java work
 * on the same cores, and the spinning worker takes a core from that work: measured on 2 cores (MiniLM LoRA
 * training, batch 32, seq 64), small ops that follow a GEMM took ~1.7 ms each instead of ~0.1 ms, and a step took
 * 2.03 s instead of 1.57 s. OpenBLAS reads the variable once, when it loads, so {@link #apply()} sets it in this
 * process's environment (libc {@code setenv}, through JNA) to {@value #DEFAULT} (2^4 cycles: a worker sleeps as soon
 * as it is idle) before ND4J loads its natives ({@link NativeBuildSelector} calls it). A value set in the
 * environment, e.g. {@code spark.executorEnv.OPENBLAS_THREAD_TIMEOUT}, is kept.
 */
public final class BlasThreadTimeout {

  public static final String VARIABLE = "OPENBLAS_THREAD_TIMEOUT";
  /** The exponent: 2^4 cycles, the smallest OpenBLAS takes. */
  public static final String DEFAULT = "4";

  private static String described;

  private BlasThreadTimeout() {}

  /** Sets {@value #VARIABLE} to {@value #DEFAULT} unless the environment has it; returns what {@link #describe} says. */
  public static synchronized String apply() {
    if (described == null) {
      String given = System.getenv(VARIABLE);
      if (given != null && !given.isBlank()) {
        described = VARIABLE + "=" + given.trim() + " (set in the environment)";
      } else {
        try {
          Function setenv = NativeLibrary.getInstance("c").getFunction("setenv");
          int rc = setenv.invokeInt(new Object[] {VARIABLE, DEFAULT, 0});
          described = rc == 0 ? VARIABLE + "=" + DEFAULT + " (set by sparkpeft before OpenBLAS loaded)"
              : VARIABLE + " unset (setenv failed: idle OpenBLAS threads spin ~0.1 s)";
        } catch (Throwable t) { // no JNA native support here: OpenBLAS keeps its default
          described = VARIABLE + " unset (" + t.getClass().getSimpleName() + ": idle OpenBLAS threads spin ~0.1 s)";
        }
      }
    }
    return described;
  }

  /** What {@link #apply()} found or did, for {@code doctor}; null before it ran. */
  public static synchronized String describe() {
    return described;
  }
}
