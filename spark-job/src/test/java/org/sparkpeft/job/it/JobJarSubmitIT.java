package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * The shaded job jar under plain SparkSubmit (no bin/sparkpeft) on a standalone cluster whose SPARK_HOME holds
 * only the Spark runtime: Spark, Hadoop and Scala come from the cluster, everything else from the jar; the executors
 * run with the allocator settings the job gives them.
 */
class JobJarSubmitIT {

  @TempDir
  Path tmp;

  @Test
  void theJobJarRunsDoctorOnTwoExecutorsOfARealCluster() throws Exception {
    try (StandaloneCluster cluster = JobJarCluster.start(tmp, "1g")) {
      StandaloneCluster.Submission run = JobJarCluster.submit(cluster, "768m", Map.of(), List.of("doctor"),
          Duration.ofMinutes(4));
      assertEquals(0, run.exitCode(), run.log());
      assertTrue(run.log().contains("all checks passed (3 JVMs)"), run.log());
      assertTrue(run.log().contains("executor 0 pid") && run.log().contains("executor 1 pid"), run.log());
      // the job passes glibc's allocator settings to its executors (spark.executorEnv.*, SparkSessions)
      long executorsWithThem = run.log().lines()
          .filter(l -> l.contains("BLAS") && l.contains("MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 (set in the "
              + "environment)")).count();
      assertTrue(executorsWithThem >= 2, run.log());
      // each JVM's OpenBLAS runs the kernels OPENBLAS_CORETYPE named before it loaded (BlasKernels)
      List<String> blasLines = run.log().lines().filter(l -> l.contains("BLAS") && l.contains(", kernels ")).toList();
      assertTrue(blasLines.size() >= 3, run.log());
      for (String line : blasLines) {
        Matcher kernels = Pattern.compile("kernels (\\w+)\\).*?OPENBLAS_CORETYPE=(\\w+)").matcher(line);
        assertTrue(!line.contains("OPENBLAS_CORETYPE=")
            || kernels.find() && kernels.group(1).equalsIgnoreCase(kernels.group(2)), line);
      }
    }
  }
}
