package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.testsupport.ExternalCommand;
import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * Spark's GPU scheduling on the real job jar, without GPUs: a standalone worker advertises two fake GPUs (a discovery
 * script printing addresses "0" and "1"), `doctor` runs its probe as a model stage (stage-level GPU profile), and each
 * task binds ND4J to the GPU Spark assigned it. The CPU backend records the bind when the test switch allows it, and
 * refuses in one sentence when it does not.
 */
class GpuSchedulingIT {

  private static final String REFUSAL = "GPU requested (spark.task.resource.gpu.amount or "
      + "spark.sparkpeft.gpu.task-amount) but this executor runs ND4J's CPU backend; build the CUDA job jar with "
      + "mvn -Pcuda and run with bin/sparkpeft --gpu (or submit spark-job/target/sparkpeft-job-cuda.jar).";

  @TempDir
  Path tmp;

  @Test
  void modelTasksGetDistinctGpusAndAreBoundToThem() throws Exception {
    Path script = tmp.resolve("two-gpus.sh");
    Files.writeString(script, "#!/bin/sh\necho '{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path sparkHome = JobJarCluster.sparkHomeOfTheRuntime(tmp.resolve("spark-home"));
    StandaloneCluster.Spec spec = new StandaloneCluster.Spec(1, 2, "2g", tmp.resolve("cluster"), sparkHome,
        sparkHome.resolve("jars") + "/*", Map.of("spark.worker.resource.gpu.amount", "2",
            "spark.worker.resource.gpu.discoveryScript", script.toString()));
    Map<String, String> gpus = Map.of("spark.executor.resource.gpu.amount", "2",
        "spark.executor.resource.gpu.discoveryScript", script.toString(), "spark.executor.cores", "2",
        "spark.sparkpeft.gpu.task-amount", "1");
    try (StandaloneCluster cluster = StandaloneCluster.start(spec)) {
      Map<String, String> recording = new HashMap<>(gpus);
      recording.put("spark.sparkpeft.gpu.allow-cpu-backend", "true");
      StandaloneCluster.Submission run = JobJarCluster.submit(cluster, "1g", recording, List.of("doctor", "--tasks", "8"),
          Duration.ofMinutes(3));
      String log = run.log();
      assertEquals(0, run.exitCode(), log);
      assertTrue(log.contains("1.0 GPU per model task (spark.sparkpeft.gpu.task-amount, "
          + "stage-level resource profile)"), log);
      assertTrue(log.contains("task GPU 0: recorded GPU 0 (CPU backend"), "Spark's address 0 reached the binding: " + log);
      assertTrue(log.contains("task GPU 1: recorded GPU 1 (CPU backend"), "Spark's address 1 reached the binding: " + log);
      assertFalse(log.contains("tasks without a GPU"), "every probe task held a GPU: " + log);
      assertTrue(log.contains("all checks passed (2 JVMs)"), log);

      StandaloneCluster.Submission refused = JobJarCluster.submit(cluster, "1g", gpus, List.of("doctor", "--tasks", "2"),
          Duration.ofMinutes(3));
      assertEquals(1, refused.exitCode(), refused.log());
      assertTrue(refused.log().contains("FAIL task GPU "), refused.log());
      assertTrue(refused.log().contains(REFUSAL), refused.log());
    }
  }

  @Test
  void theLauncherRunsTheCudaJarWithTheGpuSettingsAndLetsConfOverrideThem() throws Exception {
    Path cudaJar = Files.createFile(tmp.resolve("sparkpeft-job-cuda.jar"));
    ExternalCommand.Result dry = ExternalCommand.of(List.of(Launcher.home().resolve("bin/sparkpeft").toString(),
            "doctor", "--gpu", "--master", "spark://127.0.0.1:7077", "--conf", "spark.executor.cores=2"))
        .env("SPARKPEFT_DRY_RUN", "1").env("SPARKPEFT_NO_BUILD", "1").env("SPARKPEFT_RUN_DIR", tmp.toString())
        .env("SPARKPEFT_CUDA_JOB_JAR", cudaJar.toString())
        .run(Duration.ofMinutes(1));
    assertEquals(0, dry.exitCode(), dry.transcript());
    List<String> args = dry.stdout().lines().toList();
    assertEquals(List.of(cudaJar.toString(), "doctor"), args.subList(args.size() - 2, args.size()), dry.stdout());
    String script = Launcher.home().resolve("conf/gpu-discovery.sh").toString();
    assertTrue(args.contains("spark.executor.resource.gpu.discoveryScript=" + script), dry.stdout());
    assertTrue(args.contains("spark.sparkpeft.gpu.task-amount=1"), dry.stdout());
    assertTrue(args.lastIndexOf("spark.executor.cores=2") > args.indexOf("spark.executor.cores=4"),
        "the user's --conf comes after conf/spark-gpu.conf's, so it wins: " + dry.stdout());

    ExternalCommand.Result cpu = ExternalCommand.of(List.of(Launcher.home().resolve("bin/sparkpeft").toString(),
            "doctor", "--master", "spark://127.0.0.1:7077"))
        .env("SPARKPEFT_DRY_RUN", "1").env("SPARKPEFT_NO_BUILD", "1").env("SPARKPEFT_RUN_DIR", tmp.toString())
        .env("SPARKPEFT_JOB_JAR", cudaJar.resolveSibling("cpu.jar").toString())
        .run(Duration.ofMinutes(1));
    assertEquals(1, cpu.exitCode(), "without --gpu the CPU job jar is used (missing here): " + cpu.transcript());
    assertTrue(cpu.stderr().contains("cpu.jar"), cpu.transcript());
  }
}
