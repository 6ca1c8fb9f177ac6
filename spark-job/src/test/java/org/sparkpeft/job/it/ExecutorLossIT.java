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
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.cli.TrainCommand;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.models.io.Safetensors;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.testsupport.StandaloneCluster;

import picocli.CommandLine;

/**
 * An executor JVM of a standalone cluster is killed (SIGKILL) while {@code train} runs: Spark re-runs the lost
 * round's task (the worker launches a fresh executor, which imports the base again) and recomputes the lost cached
 * minibatches, and the job ends where the same job ends without the loss (run in this JVM on {@code local[2]}): the
 * same loss curve and the same trained tensors, within float tolerance.
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
    List<String> job = List.of("--data", data.toUri().toString(), "--epochs", "2", "--workers", "2",
        "train.batch-size=8", "train.averaging-frequency=2", "checkpoint.every-rounds=2", "eval.every-rounds=0",
        "optimizer.lr=2e-3");
    Path firstCheckpoint = tmp.resolve(".run.checkpoints/round-000002.json");
    try (StandaloneCluster cluster = JobJarCluster.start(tmp, "2g")) {
      CompletableFuture<StandaloneCluster.Submission> run = CompletableFuture.supplyAsync(() ->
          JobJarCluster.submit(cluster, "1536m", Map.of("spark.driver.memory", "2g", "spark.task.maxFailures", "4"),
              Stream.concat(Stream.of("train", "--output", output.toUri().toString()), job.stream()).toList(),
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
    assertTrue(metrics.at("/test/accuracy").asDouble() >= 0.8, metrics.toPrettyString());

    // the same job, uninterrupted
    Path reference = tmp.resolve("reference");
    try (SparkSession spark = LocalSpark.builder("executor-loss-reference")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate()) {
      TrainCommand train = new TrainCommand();
      new CommandLine(train).parseArgs(Stream.concat(Stream.of("--output", reference.toUri().toString()),
          job.stream()).toArray(String[]::new));
      assertEquals(0, train.run(spark));
    }
    JsonNode expected = new ObjectMapper().readTree(reference.resolve("metrics.json").toFile());
    JsonNode expectedCurve = expected.at("/train/loss_curve");
    JsonNode actualCurve = metrics.at("/train/loss_curve");
    assertEquals(expected.at("/rounds").asInt(), metrics.at("/rounds").asInt());
    assertEquals(expectedCurve.size(), actualCurve.size(), "rounds trained: " + metrics.at("/train"));
    for (int i = 0; i < expectedCurve.size(); i++) {
      assertEquals(expectedCurve.get(i).get("round").asInt(), actualCurve.get(i).get("round").asInt());
      assertEquals(expectedCurve.get(i).get("loss").asDouble(), actualCurve.get(i).get("loss").asDouble(), 1e-4,
          "loss of round " + (i + 1) + " after the executor loss vs uninterrupted");
    }
    Map<String, Safetensors.Tensor> want = tensors(reference);
    Map<String, Safetensors.Tensor> got = tensors(output);
    assertEquals(want.keySet(), got.keySet());
    for (Map.Entry<String, Safetensors.Tensor> e : want.entrySet()) {
      float[] a = e.getValue().data();
      float[] b = got.get(e.getKey()).data();
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertTrue(max < 1e-4, e.getKey() + " differs from the uninterrupted run's by up to " + max);
    }
  }

  private static Map<String, Safetensors.Tensor> tensors(Path output) throws Exception {
    Path file = output.resolve("adapter/adapter_model.safetensors");
    return Safetensors.read(Files.readAllBytes(file), file.toString()).tensors();
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
