package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * The shaded job jar under plain SparkSubmit (no bin/sparkpeft) on a standalone cluster whose SPARK_HOME holds
 * only the Spark runtime: Spark, Hadoop and Scala come from the cluster, everything else from the jar.
 */
class JobJarSubmitIT {

  @TempDir
  Path tmp;

  @Test
  void theJobJarRunsDoctorOnTwoExecutorsOfARealCluster() throws Exception {
    Path sparkHome = sparkHomeOfTheRuntime(tmp.resolve("spark-home"));
    String classpath = sparkHome.resolve("jars") + "/*";
    StandaloneCluster.Spec spec = new StandaloneCluster.Spec(2, 1, "1g", tmp.resolve("cluster"), sparkHome, classpath);
    try (StandaloneCluster cluster = StandaloneCluster.start(spec)) {
      StandaloneCluster.Submission run = cluster.submit("org.sparkpeft.job.Main", jobJar(),
          Map.of("spark.executor.memory", "768m",
              "spark.scheduler.minRegisteredResourcesRatio", "1.0",
              "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s"),
          List.of("doctor"), Duration.ofMinutes(4));
      assertEquals(0, run.exitCode(), run.log());
      assertTrue(run.log().contains("all checks passed (3 JVMs)"), run.log());
      assertTrue(run.log().contains("executor 0 pid") && run.log().contains("executor 1 pid"), run.log());
    }
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
