package org.sparkpeft.models.nativebuild;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which build of ND4J's CPU natives a JVM loads. nd4j-native is published per instruction set (classifiers
 * {@code linux-x86_64}, {@code -avx2}, {@code -avx512}); JavaCPP loads the one named by the system property
 * {@value #PROPERTY} and, when that property is absent, the most specialised build on the classpath, without
 * looking at the CPU (an AVX-512 build on a CPU without it dies of an illegal instruction). So every JVM must set
 * the property before ND4J loads: {@link #select()} does, from this CPU's flags ({@code /proc/cpuinfo}), choosing
 * the most specialised build that the CPU runs and the classpath holds, and the generic build ({@code ""})
 * otherwise. It runs by itself when ND4J looks for its backend ({@link NativeBuildSelector}), on drivers,
 * executors and tests alike. A value the user set is kept.
 */
public final class NativeBuild {

  /** JavaCPP's system property naming the build's extension ("" for the generic build). */
  public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
  /** The classpath folder of ND4J's CPU natives, followed by the platform and extension. */
  static final String BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/";

  /** An extension and the CPU flags it needs, most specialised first. */
  enum Isa {
    AVX512("-avx512", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"),
    AVX2("-avx2", "avx2", "fma", "f16c");

    final String extension;
    final Set<String> flags;

    Isa(String extension, String... flags) {
      this.extension = extension;
      this.flags = Set.of(flags);
    }
  }

  private static String chosen;
  private static String why;

  private NativeBuild() {}

  /**
   * Sets {@value #PROPERTY} for this JVM unless it is set already, and returns its value. Call it before ND4J's
   * first use; a later call changes nothing (the natives are loaded once).
   */
  public static synchronized String select() {
    if (chosen == null) {
      String given = System.getProperty(PROPERTY);
      if (given != null) {
        chosen = given;
        why = "set by -D" + PROPERTY + "=" + given;
      } else if (!onCpuBackend()) {
        chosen = ""; // the CUDA backend: nothing to choose, JavaCPP's defaults stay
        why = "no CPU backend";
      } else {
        chosen = extensionFor(cpuFlags(), platform(),
            path -> NativeBuild.class.getClassLoader().getResource(path) != null);
        why = "chosen from the CPU's flags";
        System.setProperty(PROPERTY, chosen);
      }
    }
    return chosen;
  }

  /**
   * The extension of the most specialised build whose flags are all in {@code flags} and whose natives
   * {@code present} finds on the classpath for {@code platform}, or "" (the generic build).
   */
  static String extensionFor(Set<String> flags, String platform, Predicate<String> present) {
    if (!"linux-x86_64".equals(platform)) {
      return "";
    }
    for (Isa isa : Isa.values()) {
      if (flags.containsAll(isa.flags) && present.test(BINDINGS + platform + isa.extension + "/libnd4jcpu.so")) {
        return isa.extension;
      }
    }
    return "";
  }

  /**
   * The native build this JVM loaded, e.g. "linux-x86_64-avx512", or null while ND4J's CPU natives are not loaded
   * (not yet, or the CUDA backend runs).
   */
  public static String loaded() {
    try {
      String path = org.bytedeco.javacpp.Loader.getLoadedLibraries().get("nd4jcpu");
      int at = path == null ? -1 : path.lastIndexOf(BINDINGS.substring(BINDINGS.indexOf("bindings/")));
      if (at < 0) {
        return null;
      }
      String rest = path.substring(at + "bindings/".length());
      return rest.substring(0, rest.indexOf('/'));
    } catch (LinkageError e) {
      return null;
    }
  }

  /**
   * One line for operators: the loaded build and why, e.g. "linux-x86_64-avx512 (chosen from the CPU's flags)",
   * "linux-x86_64 (set by -Dorg.bytedeco.javacpp.platform.extension=)"; null when no CPU build is loaded.
   */
  public static String describe() {
    String loaded = loaded();
    if (loaded == null) {
      return null;
    }
    synchronized (NativeBuild.class) {
      return loaded + " (" + (why == null ? "loaded before sparkpeft chose: JavaCPP's default" : why) + ")";
    }
  }

  /** This CPU's feature flags (the first "flags" line of /proc/cpuinfo), or none where that is not readable. */
  static Set<String> cpuFlags() {
    try {
      return parseFlags(Files.readString(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      return Set.of();
    }
  }

  static Set<String> parseFlags(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        return Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
            .collect(Collectors.toCollection(TreeSet::new));
      }
    }
    return Set.of();
  }

  /** JavaCPP's platform name for this JVM, as far as it matters here ("linux-x86_64" or something else). */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return (os.startsWith("linux") ? "linux" : os) + "-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch);
  }

  private static boolean onCpuBackend() {
    return NativeBuild.class.getClassLoader().getResource("org/nd4j/linalg/cpu/nativecpu/CpuBackend.class") != null;
  }
}
