package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.Safetensors;
import org.sparkpeft.testsupport.ExternalCommand;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * The driver of {@code bin/sparkpeft train} is killed (SIGKILL, its whole process tree) right after a checkpoint;
 * running the same command again resumes from the checkpoint and writes the same adapter and metrics as a run that
 * was never interrupted.
 */
class ResumeAfterKillIT {

  private static final Duration RUN = Duration.ofMinutes(6);

  @TempDir
  Path tmp;

  @Test
  void rerunningAfterTheDriverWasKilledResumesAndEndsWithTheUninterruptedResult() throws Exception {
    Path data;
    try (SparkSession spark = LocalSpark.start("prepare-for-resume-it")) {
      data = TicketData.prepare(spark, tmp, 260);
    }
    Path whole = tmp.resolve("whole");
    Path killed = tmp.resolve("killed");

    ExternalCommand.Result uninterrupted = Launcher.run(tmp.resolve("run"), RUN, args(data, whole));
    assertEquals(0, uninterrupted.exitCode(), uninterrupted.transcript());

    Path checkpoints = tmp.resolve(".killed.checkpoints");
    Path fourth = checkpoints.resolve("round-000004.json");
    List<String> command = new ArrayList<>(List.of(Launcher.home().resolve("bin/sparkpeft").toString()));
    command.addAll(List.of(args(data, killed)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("killed.log").toFile());
    Map<String, String> env = builder.environment();
    env.put("SPARKPEFT_RUN_DIR", tmp.resolve("run").toString());
    env.put("SPARKPEFT_NO_BUILD", "1");
    env.put("SPARKPEFT_DRIVER_MEMORY", "1g");
    Process driver = builder.start();
    try {
      long deadline = System.nanoTime() + RUN.toNanos();
      while (!Files.exists(fourth) && driver.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(fourth), "no checkpoint after round 4:\n" + Files.readString(tmp.resolve("killed.log")));
    } finally {
      driver.descendants().forEach(ProcessHandle::destroyForcibly);
      driver.destroyForcibly();
      driver.waitFor(30, TimeUnit.SECONDS);
    }
    assertFalse(Files.exists(killed), "a killed run leaves no output");

    ExternalCommand.Result resumed = Launcher.run(tmp.resolve("run"), RUN, args(data, killed));
    assertEquals(0, resumed.exitCode(), resumed.transcript());
    assertTrue(resumed.transcript().contains("resuming from checkpoint"), resumed.transcript());
    assertFalse(resumed.transcript().contains("round 1/"), "the resumed run must not start over:\n"
        + resumed.transcript());
    assertFalse(Files.exists(checkpoints), "checkpoints are removed once the output is written");

    Map<String, Safetensors.Tensor> expected = tensors(whole);
    Map<String, Safetensors.Tensor> actual = tensors(killed);
    assertEquals(expected.keySet(), actual.keySet());
    double worst = 0;
    for (String name : expected.keySet()) {
      float[] e = expected.get(name).data();
      float[] a = actual.get(name).data();
      assertEquals(e.length, a.length, name);
      for (int i = 0; i < e.length; i++) {
        worst = Math.max(worst, Math.abs(e[i] - a[i]));
      }
    }
    assertTrue(worst <= 1e-5, "resumed adapter differs from the uninterrupted one by up to " + worst);
    JsonNode wholeMetrics = new ObjectMapper().readTree(whole.resolve("metrics.json").toFile());
    JsonNode killedMetrics = new ObjectMapper().readTree(killed.resolve("metrics.json").toFile());
    assertEquals(wholeMetrics.at("/rounds").asInt(), killedMetrics.at("/rounds").asInt());
    assertEquals(wholeMetrics.at("/test/accuracy").asDouble(), killedMetrics.at("/test/accuracy").asDouble(), 1e-9);
    assertEquals(wholeMetrics.at("/train/loss_curve").size(), killedMetrics.at("/train/loss_curve").size());
  }

  private static String[] args(Path data, Path output) {
    return new String[] {"train", "--data", data.toUri().toString(), "--output", output.toUri().toString(),
        "--epochs", "2", "--workers", "2", "train.batch-size=8", "train.averaging-frequency=2",
        "checkpoint.every-rounds=2", "eval.every-rounds=6", "optimizer.lr=2e-3"};
  }

  private static Map<String, Safetensors.Tensor> tensors(Path run) throws Exception {
    File weights = run.resolve("adapter/" + AdapterFiles.WEIGHTS).toFile();
    return Safetensors.read(Files.readAllBytes(weights.toPath()), weights.toString()).tensors();
  }
}
