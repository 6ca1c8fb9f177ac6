package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * An executor JVM of a standalone cluster is killed (SIGKILL) while {@code train} runs: Spark re-runs the lost
 * round's task (the worker launches a fresh executor, which imports the base again), and the job finishes with
 * every round trained and a complete output.
 */
class ExecutorLossIT {

  @TempDir
  Path tmp;

  @Test
  void trainingSurvivesTheLossOfAnExecutorMidRun() throws Exception {
    Path data;
    try (SparkSession spark = LocalSpark.start("prepare-for-executor-loss-it")) {
      data = TicketData.prepare(spark, tmp, 300);
    }
    Path output = tmp.resolve("run");
    Path firstCheckpoint = tmp.resolve(".run.checkpoints/round-000002.json");
    try (StandaloneCluster cluster = JobJarCluster.start(tmp, "2g")) {
      CompletableFuture<StandaloneCluster.Submission> run = CompletableFuture.supplyAsync(() ->
          JobJarCluster.submit(cluster, "1536m", Map.of("spark.driver.memory", "2g", "spark.task.maxFailures", "4"),
              List.of("train", "--data", data.toUri().toString(), "--output", output.toUri().toString(),
                  "--epochs", "2", "--workers", "2", "train.batch-size=8", "train.averaging-frequency=2",
                  "checkpoint.every-rounds=2", "eval.every-rounds=0", "optimizer.lr=2e-3"),
              Duration.ofMinutes(9)));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
      while (!Files.exists(firstCheckpoint) && !run.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(firstCheckpoint), "training never reached round 2: "
          + (run.isDone() ? run.get().log() : "timed out"));
      ProcessHandle executor = executorOf(cluster).orElseThrow(() -> new AssertionError("no executor JVM found"));
      executor.destroyForcibly();
      executor.onExit().get(30, TimeUnit.SECONDS);

      StandaloneCluster.Submission submission = run.get(10, TimeUnit.MINUTES);
      assertEquals(0, submission.exitCode(), submission.log());
      assertTrue(submission.log().contains("trained lora"), submission.log());
      assertTrue(submission.log().contains("Lost executor") || submission.log().contains("ExecutorLostFailure"),
          "the driver must have seen the executor go:\n" + submission.log());
    }
    assertTrue(Files.exists(output.resolve("_SUCCESS")));
    JsonNode metrics = new ObjectMapper().readTree(output.resolve("metrics.json").toFile());
    int rounds = metrics.at("/rounds").asInt();
    assertEquals(rounds, metrics.at("/train/loss_curve").size(), "every round trained: " + metrics.at("/train"));
    assertTrue(metrics.at("/test/accuracy").asDouble() >= 0.8, metrics.toPrettyString());
  }

  /** One executor JVM (CoarseGrainedExecutorBackend) started by this cluster's workers. */
  private static Optional<ProcessHandle> executorOf(StandaloneCluster cluster) {
    String home = cluster.sparkHome().toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend") && c.contains(home))
            .orElse(false))
        .findFirst();
  }
}
