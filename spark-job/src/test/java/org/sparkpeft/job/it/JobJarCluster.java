package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * A standalone cluster (master + 2 worker JVMs) whose SPARK_HOME holds only the Maven-resolved Spark runtime,
 * as bin/sparkpeft builds it, and SparkSubmit of the shaded job jar to it: the job jar's path to a real cluster.
 */
final class JobJarCluster {

  private JobJarCluster() {}

  static StandaloneCluster start(Path tmp, String workerMemory) throws Exception {
    Path sparkHome = sparkHomeOfTheRuntime(tmp.resolve("spark-home"));
    return StandaloneCluster.start(new StandaloneCluster.Spec(2, 1, workerMemory, tmp.resolve("cluster"), sparkHome,
        sparkHome.resolve("jars") + "/*"));
  }

  /** Submits {@code Main args...} from the job jar; the scheduler waits for both executors before it starts. */
  static StandaloneCluster.Submission submit(StandaloneCluster cluster, String executorMemory, Map<String, String> conf,
                                             List<String> args, Duration timeout) {
    Map<String, String> all = new HashMap<>(Map.of("spark.executor.memory", executorMemory,
        "spark.scheduler.minRegisteredResourcesRatio", "1.0",
        "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s"));
    all.putAll(conf);
    return cluster.submit("org.sparkpeft.job.Main", jobJar(), all, args, timeout);
  }

  static Path jobJar() {
    Path jar = Path.of(System.getProperty("sparkpeft.job.jar", "target/sparkpeft-job.jar"));
    assertTrue(Files.isRegularFile(jar), "the shaded job jar is built in the package phase: " + jar);
    return jar;
  }

  /** A SPARK_HOME whose jars/ links to the Maven-resolved Spark runtime, as bin/sparkpeft builds it. */
  static Path sparkHomeOfTheRuntime(Path home) throws Exception {
    Path classpathFile = Launcher.home().resolve("spark-runtime/target/spark-runtime.classpath");
    assertTrue(Files.isRegularFile(classpathFile), "spark-runtime is built before spark-job: " + classpathFile);
    Files.createDirectories(home.resolve("jars"));
    for (String jar : Files.readString(classpathFile).trim().split(":")) {
      Path source = Path.of(jar);
      Files.createSymbolicLink(home.resolve("jars").resolve(source.getFileName()), source);
    }
    return home;
  }
}
