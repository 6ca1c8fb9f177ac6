package org.sparkpeft.models.nativebuild;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * How glibc's allocator keeps the memory ND4J frees. ND4J's CPU arrays live off-heap, allocated with {@code malloc}
 * and freed when the garbage collector finds their Java object gone. With glibc's defaults much of that memory stays
 * in the process: each thread that allocates may get its own arena (up to 8 per core), and once a large array is
 * freed glibc raises its mmap threshold to that array's size (up to 32 MiB), so later arrays (activations, gradients,
 * model copies of 1-90 MB) are carved from the arenas, whose freed space is rarely handed back. A Spark executor (or
 * the driver in {@code local[N]}) runs tasks on ever-new threads, and its resident memory grew by gigabytes beyond its
 * heap: spark-job's tests (one JVM, -Xmx6g) reached 18.6 GB, and once 22 GB, when the kernel killed them on a 24 GB
 * machine.
 * <p>The two settings of {@link #ENVIRONMENT}: at most {@value #ARENA_MAX} arenas (Hadoop's advice for YARN
 * containers) and a fixed mmap threshold of 128 KiB (glibc's initial value, no longer raised), so every array above it
 * is its own mapping, returned to the system when freed. Training speed did not change (MiniLM LoRA, seq 64 and 128,
 * interleaved runs). glibc reads the arena limit once, at the process's first {@code malloc}, so it must be in the
 * JVM's environment: {@code bin/sparkpeft} exports both for the driver, {@code SparkSessions} passes both to executors
 * as {@code spark.executorEnv.*}, and the build's test JVMs get both. {@link #apply()} ({@link NativeBuildSelector}
 * runs it in every JVM) covers JVMs started otherwise (a notebook, a plain {@code spark-submit} driver): it calls
 * {@code mallopt} for each setting the environment lacks, which fixes the threshold from then on but caps only arenas
 * not yet created. A value from the environment, or {@code GLIBC_TUNABLES}, is kept.
 */
public final class MallocSettings {

  public static final String ARENA_VARIABLE = "MALLOC_ARENA_MAX";
  public static final String ARENA_MAX = "2";
  public static final String THRESHOLD_VARIABLE = "MALLOC_MMAP_THRESHOLD_";
  public static final String THRESHOLD_BYTES = "131072";

  /** The variables for a JVM's environment, in the order they are described. */
  public static final Map<String, String> ENVIRONMENT = environment();

  /** glibc's malloc.h. */
  private static final int M_MMAP_THRESHOLD = -3;
  private static final int M_ARENA_MAX = -8;

  private static String described;

  private MallocSettings() {}

  private static Map<String, String> environment() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(ARENA_VARIABLE, ARENA_MAX);
    m.put(THRESHOLD_VARIABLE, THRESHOLD_BYTES);
    return Collections.unmodifiableMap(m);
  }

  /** Calls {@code mallopt} for each setting the environment lacks; returns what {@link #describe} says. */
  public static synchronized String apply() {
    if (described == null) {
      String tunables = System.getenv("GLIBC_TUNABLES");
      if (tunables != null && tunables.contains("glibc.malloc.")) {
        described = "malloc tuned by GLIBC_TUNABLES=" + tunables.trim();
        return described;
      }
      List<String> kept = new ArrayList<>();
      List<String> set = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      ENVIRONMENT.forEach((variable, value) -> {
        String given = System.getenv(variable);
        if (given != null && !given.isBlank()) {
          kept.add(variable + "=" + given.trim());
          return;
        }
        int param = variable.equals(ARENA_VARIABLE) ? M_ARENA_MAX : M_MMAP_THRESHOLD;
        String failure = mallopt(param, Integer.parseInt(value));
        if (failure != null) {
          failed.add(variable + " unset (" + failure + ")");
        } else if (variable.equals(ARENA_VARIABLE)) {
          set.add("malloc arenas <= " + value + " from now on (set " + variable + "=" + value
              + " at JVM start to cap them all)");
        } else {
          set.add("mmap threshold " + Integer.parseInt(value) / 1024 + " KiB");
        }
      });
      List<String> parts = new ArrayList<>();
      if (!kept.isEmpty()) {
        parts.add(String.join(" ", kept) + " (set in the environment)");
      }
      if (!set.isEmpty()) {
        parts.add(String.join(", ", set) + " (mallopt by sparkpeft)");
      }
      parts.addAll(failed);
      described = String.join(", ", parts);
    }
    return described;
  }

  /** Null when glibc took it, else why not (another libc, no JNA native support). */
  static String mallopt(int param, int value) {
    try {
      Function mallopt = NativeLibrary.getInstance("c").getFunction("mallopt");
      return mallopt.invokeInt(new Object[] {param, value}) == 1 ? null : "mallopt refused";
    } catch (Throwable t) {
      return t.getClass().getSimpleName();
    }
  }

  /** What {@link #apply()} found or did, for {@code doctor}; null before it ran. */
  public static synchronized String describe() {
    return described;
  }
}
