package org.sparkpeft.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneClusterIT {

  @TempDir
  Path tmp;

  @Test
  void aSubmittedJobRunsTasksInTwoSeparateExecutorJvms() throws Exception {
    Path jar = Jars.of(tmp.resolve("probe.jar"), ExecutorProbeApp.class);
    Path out = tmp.resolve("probe.txt");
    Set<Long> daemonPids;
    try (StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.Spec.ofThisClasspath(2, tmp.resolve("cluster")))) {
      assertEquals(2, cluster.aliveWorkers());
      StandaloneCluster.Submission submission = cluster.submit(ExecutorProbeApp.class.getName(), jar,
          Map.of("spark.executor.memory", "768m", "spark.executor.cores", "1",
              "spark.scheduler.minRegisteredResourcesRatio", "1.0",
              "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s"),
          List.of(out.toString(), "24"), Duration.ofMinutes(4));
      assertEquals(0, submission.exitCode(), submission.log());
      daemonPids = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
    List<String> lines = Files.readAllLines(out);
    String driver = lines.stream().filter(l -> l.startsWith("driver ")).findFirst().orElseThrow();
    long driverPid = Long.parseLong(driver.substring("driver ".length()));
    List<String[]> tasks = lines.stream().filter(l -> !l.startsWith("driver ")).map(l -> l.split(" "))
        .collect(Collectors.toList());
    assertEquals(24, tasks.size(), "every task reports once");
    Set<String> executorIds = tasks.stream().map(t -> t[1]).collect(Collectors.toSet());
    Set<Long> pids = tasks.stream().map(t -> Long.parseLong(t[2])).collect(Collectors.toSet());
    assertEquals(2, executorIds.size(), "tasks ran on executors " + executorIds);
    assertEquals(2, pids.size(), "tasks ran in JVMs " + pids);
    assertFalse(pids.contains(driverPid), "no task may run in the driver JVM");
    assertFalse(pids.contains(ProcessHandle.current().pid()), "no task may run in the test JVM");
    assertTrue(executorIds.stream().noneMatch("driver"::equals), "executor ids " + executorIds);
    for (long pid : daemonPids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "the harness must stop every JVM it started; still alive: " + pid);
    }
  }
}
