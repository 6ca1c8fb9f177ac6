package org.sparkpeft.models.nativebuild;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * How long the native thread pools' idle threads busy-wait before they sleep. ND4J's CPU backend runs on two pools:
 * OpenBLAS's worker threads (GEMMs) and OpenMP's (libnd4j's elementwise, broadcast and reduction ops). By default
 * both keep an idle thread spinning for the next job: OpenBLAS for 2^28 cycles (~0.1 s), OpenMP (libgomp) for
 * ~300,000 spins. A training step alternates GEMMs with ND4J ops and sparkpeft's Java kernels on the same cores, so
 * whichever pool just finished keeps the cores busy while the next one waits for them. Measured on 2 cores (MiniLM
 * LoRA training, batch 32, seq 64):
 * <ul>
 *   <li>OpenBLAS spinning: small ops after a GEMM took ~1.7 ms each instead of ~0.1 ms; a step 2.03 s instead of
 *   1.57 s;</li>
 *   <li>OpenMP spinning: a [2048, 384] x [384, 384] GEMM right after an ND4J elementwise op took 7 ms instead of
 *   3.5 ms; in training the encoder's GEMMs ran at ~90 GFLOP/s instead of ~150, and a step took ~1.4 s instead of
 *   ~1.0 s.</li>
 * </ul>
 * Both libraries read their variable once, when they load, so {@link #apply()} sets it in this process's environment
 * (libc {@code setenv}, through JNA) before ND4J loads its natives ({@link NativeBuildSelector} calls it):
 * {@value #OPENBLAS_VARIABLE}={@value #OPENBLAS_DEFAULT} (2^4 cycles: a worker sleeps as soon as it is idle) and
 * {@value #OPENMP_VARIABLE}={@value #OPENMP_DEFAULT} (the OpenMP standard's "do not spin"). A value set in the
 * environment, e.g. {@code spark.executorEnv.OMP_WAIT_POLICY}, is kept.
 */
public final class IdleThreadSettings {

  public static final String OPENBLAS_VARIABLE = "OPENBLAS_THREAD_TIMEOUT";
  /** The exponent: 2^4 cycles, the smallest OpenBLAS takes. */
  public static final String OPENBLAS_DEFAULT = "4";
  public static final String OPENMP_VARIABLE = "OMP_WAIT_POLICY";
  public static final String OPENMP_DEFAULT = "PASSIVE";

  /** Each variable and the value sparkpeft sets when the environment has none, in the order they are applied. */
  public static final Map<String, String> DEFAULTS = defaults();

  private static String described;

  private IdleThreadSettings() {}

  private static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(OPENBLAS_VARIABLE, OPENBLAS_DEFAULT);
    m.put(OPENMP_VARIABLE, OPENMP_DEFAULT);
    return Collections.unmodifiableMap(m);
  }

  /** Sets each of {@link #DEFAULTS} that the environment lacks; returns what {@link #describe} says. */
  public static synchronized String apply() {
    if (described == null) {
      List<String> set = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      DEFAULTS.forEach((variable, value) -> {
        String given = System.getenv(variable);
        if (given != null && !given.isBlank()) {
          kept.add(variable + "=" + given.trim());
        } else {
          String failure = setenv(variable, value, true);
          if (failure == null) {
            set.add(variable + "=" + value);
          } else {
            failed.add(variable + " unset (" + failure + ": its idle threads spin)");
          }
        }
      });
      List<String> parts = new ArrayList<>();
      if (!set.isEmpty()) {
        parts.add(String.join(" ", set) + " (set by sparkpeft before the natives loaded)");
      }
      if (!kept.isEmpty()) {
        parts.add(String.join(" ", kept) + " (set in the environment)");
      }
      parts.addAll(failed);
      described = String.join(", ", parts);
    }
    return described;
  }

  /**
   * Sets {@code variable} in this process's C environment (replacing a value only with {@code overwrite}: callers
   * pass true for a variable that is unset or blank); null when set, else why not.
   */
  static String setenv(String variable, String value, boolean overwrite) {
    try {
      Function setenv = NativeLibrary.getInstance("c").getFunction("setenv");
      return setenv.invokeInt(new Object[] {variable, value, overwrite ? 1 : 0}) == 0 ? null : "setenv failed";
    } catch (Throwable t) { // no JNA native support here: the library keeps its default
      return t.getClass().getSimpleName();
    }
  }

  /** What {@link #apply()} found or did, for {@code doctor}; null before it ran. */
  public static synchronized String describe() {
    return described;
  }
}
