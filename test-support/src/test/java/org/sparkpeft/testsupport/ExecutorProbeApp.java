package org.sparkpeft.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A spark-submit application for harness tests: runs many short tasks and writes, per task, the executor id
 * and the PID of the JVM that ran it, plus a "driver PID" line, to the local file given as first argument.
 */
public final class ExecutorProbeApp {

  private ExecutorProbeApp() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    int tasks = Integer.parseInt(args[1]);
    try (SparkSession spark = SparkSession.builder().appName("executor-probe").getOrCreate()) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<Integer> seeds = IntStream.range(0, tasks).boxed().collect(Collectors.toList());
      List<String> rows = jsc.parallelize(seeds, tasks).mapPartitions(it -> {
        List<String> result = new ArrayList<>();
        while (it.hasNext()) {
          int seed = it.next();
          Thread.sleep(150);
          result.add(seed + " " + SparkEnv.get().executorId() + " " + ProcessHandle.current().pid());
        }
        return result.iterator();
      }).collect();
      List<String> lines = new ArrayList<>(rows);
      lines.add("driver " + ProcessHandle.current().pid());
      Files.write(out, lines, StandardCharsets.UTF_8);
    }
  }
}
