package org.sparkpeft.testsupport;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The JVM flags every Spark + ND4J JVM needs on Java 17: Spark's own module options (the same list
 * {@code spark-submit} uses, from {@link JavaModuleOptions}) and a javacpp cache directory so ND4J does not
 * unpack its natives into the home directory of whoever runs the tests.
 */
public final class JvmFlags {

  private JvmFlags() {}

  /** Spark's module options, exactly as Spark 3.5 defines them. */
  public static List<String> sparkModuleOptions() {
    return split(JavaModuleOptions.defaultModuleOptions());
  }

  /** Flags for a child JVM started by a harness: Spark's module options plus the javacpp cache of this JVM. */
  public static List<String> forChildJvm() {
    List<String> flags = new ArrayList<>(sparkModuleOptions());
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      flags.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    return flags;
  }

  /** The module options that this JVM was started without (empty when the build passed them all). */
  public static List<String> missingFromThisJvm() {
    List<String> given = ManagementFactory.getRuntimeMXBean().getInputArguments();
    List<String> missing = new ArrayList<>();
    for (String flag : sparkModuleOptions()) {
      if (!given.contains(flag)) {
        missing.add(flag);
      }
    }
    return missing;
  }

  /** The classpath of this JVM, as child JVMs should see it. */
  public static String thisClasspath() {
    return System.getProperty("java.class.path");
  }

  static List<String> split(String flags) {
    return flags.isBlank() ? List.of() : Arrays.asList(flags.trim().split("\\s+"));
  }
}
