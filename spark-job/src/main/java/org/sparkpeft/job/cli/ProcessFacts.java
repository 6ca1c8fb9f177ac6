package org.sparkpeft.job.cli;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.apache.spark.SparkEnv;
import org.apache.spark.launcher.JavaModuleOptions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.nativebuild.BlasKernels;
import org.sparkpeft.models.nativebuild.IdleThreadSettings;
import org.sparkpeft.models.nativebuild.MallocSettings;
import org.sparkpeft.models.nativebuild.OffHeapWatch;
import org.sparkpeft.models.nativebuild.NativeBuild;

/**
 * What {@code doctor} learns about one JVM (the driver, or an executor): Java, the module flags Spark needs,
 * whether they are effective, and whether ND4J's backend loads and computes (with the native build it loaded:
 * generic, AVX2 or AVX-512, and why). Travels as one tab-separated
 * line so that it needs no serializer registration.
 */
public record ProcessFacts(String role, long pid, String java, List<String> missingFlags, boolean nioOpened,
                           String nd4jBackend, String blas, int blasThreads, boolean nd4jMathOk, String nd4jError,
                           String javacppCache) {

  private static final String NONE = "-";

  /** Inspects the current JVM. */
  public static ProcessFacts ofThisJvm() {
    String role = SparkEnv.get() == null ? "driver" : "executor " + SparkEnv.get().executorId();
    String backend = NONE;
    String blas = NONE;
    int threads = -1;
    boolean mathOk = false;
    String error = NONE;
    try {
      backend = Nd4j.getBackend().getClass().getSimpleName();
      Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
      String nativeBuild = NativeBuild.describe();
      if (nativeBuild != null) {
        backend += " " + nativeBuild;
      }
      blas = String.valueOf(env.getOrDefault("blas.vendor", NONE));
      String kernels = BlasKernels.loaded();
      if (kernels != null) {
        blas += " (" + kernels + ")";
      }
      if (BlasKernels.describe() != null && backend.startsWith("CpuBackend")) {
        blas += ", " + BlasKernels.describe();
      }
      String idle = IdleThreadSettings.describe();
      if (idle != null && backend.startsWith("CpuBackend")) {
        blas += ", " + idle;
      }
      for (String memory : new String[] {MallocSettings.describe(), OffHeapWatch.describe()}) {
        if (memory != null) {
          blas += "; " + memory;
        }
      }
      threads = Integer.parseInt(String.valueOf(env.getOrDefault("omp.threads", "-1")));
      INDArray a = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
      INDArray product = a.mmul(a);
      mathOk = product.equals(Nd4j.createFromArray(new float[][] {{7, 10}, {15, 22}}));
    } catch (Throwable t) {
      Throwable root = t;
      while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
        root = root.getCause();
      }
      error = (root.getClass().getSimpleName() + ": " + root.getMessage()).replace('\t', ' ').replace('\n', ' ');
    }
    return new ProcessFacts(role, ProcessHandle.current().pid(),
        System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
        missingModuleFlags(), javaNioIsOpen(), backend, blas, threads, mathOk, error,
        System.getProperty("org.bytedeco.javacpp.cachedir", NONE));
  }

  /** Spark's module options (JavaModuleOptions) that this JVM was started without. */
  static List<String> missingModuleFlags() {
    List<String> given = ManagementFactory.getRuntimeMXBean().getInputArguments();
    List<String> missing = new ArrayList<>();
    for (String flag : JavaModuleOptions.defaultModuleOptions().trim().split("\\s+")) {
      if (!given.contains(flag)) {
        missing.add(flag);
      }
    }
    return missing;
  }

  /** Whether java.base/java.nio is open to us, as Spark's off-heap code and ND4J need. */
  static boolean javaNioIsOpen() {
    try {
      Field address = java.nio.Buffer.class.getDeclaredField("address");
      address.setAccessible(true);
      return true;
    } catch (RuntimeException | NoSuchFieldException e) {
      return false;
    }
  }

  public boolean healthy() {
    return missingFlags.isEmpty() && nioOpened && nd4jMathOk;
  }

  public String toLine() {
    return String.join("\t", role, Long.toString(pid), java, missingFlags.isEmpty() ? NONE : String.join(" ", missingFlags),
        Boolean.toString(nioOpened), backend(nd4jBackend), blas, Integer.toString(blasThreads),
        Boolean.toString(nd4jMathOk), nd4jError, javacppCache);
  }

  public static ProcessFacts fromLine(String line) {
    String[] f = line.split("\t", -1);
    List<String> missing = f[3].equals(NONE) ? List.of() : Arrays.asList(f[3].split(" "));
    return new ProcessFacts(f[0], Long.parseLong(f[1]), f[2], missing, Boolean.parseBoolean(f[4]), f[5], f[6],
        Integer.parseInt(f[7]), Boolean.parseBoolean(f[8]), f[9], f[10]);
  }

  private static String backend(String value) {
    return value == null || value.isEmpty() ? NONE : value;
  }
}
