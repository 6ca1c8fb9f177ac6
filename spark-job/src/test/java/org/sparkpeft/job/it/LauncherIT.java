package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.testsupport.ExternalCommand.Result;
import org.sparkpeft.testsupport.FreePorts;

/** bin/sparkpeft as a user runs it: doctor, the cluster life cycle, and clear answers to mistakes. */
class LauncherIT {

  private static final Duration LIMIT = Duration.ofMinutes(3);

  @TempDir
  Path runDir;

  @AfterEach
  void stopAnyCluster() {
    Launcher.run(runDir, LIMIT, "cluster", "stop");
  }

  @Test
  void doctorPassesOnLocalTwo() {
    Result doctor = Launcher.run(runDir, LIMIT, "doctor");
    assertEquals(0, doctor.exitCode(), doctor.transcript());
    assertTrue(doctor.stdout().contains("master local[2]"), doctor.transcript());
    assertTrue(doctor.stdout().contains("all checks passed (2 JVMs)"), doctor.transcript());
  }

  @Test
  void clusterStartsServesAJobReportsStatusAndStopsEverything() throws Exception {
    String port = String.valueOf(FreePorts.next());
    String ui = String.valueOf(FreePorts.next());
    Result start = Launcher.run(runDir, LIMIT, "cluster", "start", "--workers", "2", "--cores", "1",
        "--memory", "1g", "--port", port, "--webui-port", ui);
    assertEquals(0, start.exitCode(), start.transcript());
    List<Long> pids = pids();
    assertEquals(3, pids.size(), "master + 2 workers: " + pids);
    pids.forEach(pid -> assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));

    Result status = Launcher.run(runDir, LIMIT, "cluster", "status");
    assertEquals(0, status.exitCode(), status.transcript());
    assertTrue(status.stdout().contains("2 of 2 workers alive"), status.transcript());

    Result again = Launcher.run(runDir, LIMIT, "cluster", "start", "--port", port, "--webui-port", ui);
    assertEquals(1, again.exitCode(), again.transcript());
    assertTrue(again.stderr().contains("already running"), again.transcript());

    Result doctor = Launcher.run(runDir, LIMIT, "doctor", "--master", "spark://127.0.0.1:" + port,
        "--executor-memory", "768m");
    assertEquals(0, doctor.exitCode(), doctor.transcript());
    assertTrue(doctor.stdout().contains("executor 0 pid"), doctor.transcript());
    assertTrue(doctor.stdout().contains("executor 1 pid"), doctor.transcript());
    assertTrue(doctor.stdout().contains("all checks passed (3 JVMs)"), doctor.transcript());

    Result stop = Launcher.run(runDir, LIMIT, "cluster", "stop");
    assertEquals(0, stop.exitCode(), stop.transcript());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "still running: " + pid);
    }
    Result after = Launcher.run(runDir, LIMIT, "cluster", "status");
    assertEquals(3, after.exitCode(), after.transcript());
  }

  @Test
  void aTakenPortIsNamedAndNothingIsLeftRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Result start = Launcher.run(runDir, LIMIT, "cluster", "start", "--port", String.valueOf(taken.getLocalPort()),
          "--webui-port", String.valueOf(FreePorts.next()));
      assertEquals(1, start.exitCode(), start.transcript());
      assertTrue(start.stderr().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is taken"), start.transcript());
      assertEquals(List.of(), pids());
    }
  }

  @Test
  void mistakesGetOneSentenceAndANonZeroExit() {
    Result unknown = Launcher.run(runDir, LIMIT, "trian");
    assertEquals(2, unknown.exitCode(), unknown.transcript());
    assertTrue(unknown.stderr().contains("unknown command 'trian'"), unknown.transcript());

    Result badWorkers = Launcher.run(runDir, LIMIT, "cluster", "start", "--workers", "zero");
    assertEquals(2, badWorkers.exitCode(), badWorkers.transcript());
    assertTrue(badWorkers.stderr().contains("--workers must be a positive integer"), badWorkers.transcript());

    Result incomplete = Launcher.run(runDir, LIMIT, "predict", "--adapter", "/nowhere");
    assertEquals(2, incomplete.exitCode(), incomplete.transcript());
    assertTrue(incomplete.stderr().contains("Missing required options: '--input=<input>', '--output=<output>'"),
        incomplete.transcript());
    assertFalse(incomplete.stderr().contains("\tat "), incomplete.transcript());

    Result noModelAdapter = Launcher.run(runDir, LIMIT, "predict", "--adapter", "/nowhere", "--input",
        "/nowhere.csv", "--output", runDir.resolve("scored.parquet").toString());
    assertEquals(2, noModelAdapter.exitCode(), noModelAdapter.transcript());
    assertTrue(noModelAdapter.stderr().contains("adapter /nowhere has no adapter_config.json"),
        noModelAdapter.transcript());
    assertFalse(noModelAdapter.stderr().contains("\tat "), noModelAdapter.transcript());

    Result noAdapter = Launcher.run(runDir, LIMIT, "evaluate", "--adapter", "/nowhere", "--data", "/nowhere");
    assertEquals(2, noAdapter.exitCode(), noAdapter.transcript());
    assertTrue(noAdapter.stderr().contains("adapter /nowhere has no adapter_config.json"), noAdapter.transcript());
    assertFalse(noAdapter.stderr().contains("\tat "), noAdapter.transcript());
  }

  private List<Long> pids() throws Exception {
    Path dir = runDir.resolve("cluster");
    List<Long> pids = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".pid"))::iterator) {
          pids.add(Long.parseLong(Files.readString(file).trim()));
        }
      }
    }
    return pids;
  }
}
