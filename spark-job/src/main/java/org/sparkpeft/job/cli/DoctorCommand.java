package org.sparkpeft.job.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.job.gpu.DeviceFacts;
import org.sparkpeft.job.gpu.GpuRequest;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.spark.SparkSessions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparkpeft doctor}: prints the runtime (Java, Spark, Scala, Hadoop, DL4J/ND4J backend and BLAS threads,
 * CUDA version and GPUs) and checks, on the driver and on every executor, that the JVM flags are effective and ND4J
 * computes. Its executor probe runs like a model stage (GPU profile, device binding), so with GPUs requested it
 * shows which GPU each executor's tasks got and that ND4J was bound to it.
 * Exit code 0 when every check passes, 1 otherwise.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Print the runtime (Java, Spark, Scala, Hadoop, DL4J/ND4J backend, BLAS threads, CUDA and GPUs) "
        + "and check that the JVM flags are effective, ND4J works and tasks are bound to the GPUs Spark assigns, "
        + "on the driver and on every executor.")
public final class DoctorCommand implements Callable<Integer> {

  @Option(names = "--tasks", description = "Tasks of the executor probe job (default: 2 x default parallelism).")
  Integer tasks;

  private final PrintStream out;

  public DoctorCommand() {
    this(System.out);
  }

  DoctorCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    BuildInfo build = BuildInfo.load();
    ProcessFacts driver = ProcessFacts.ofThisJvm();
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft doctor")) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      int probes = tasks != null ? tasks : Math.max(2, 2 * jsc.defaultParallelism());
      jsc.setJobDescription("sparkpeft doctor · executor probe");
      GpuRequest gpus = GpuRequest.of(jsc.getConf());
      JavaRDD<Integer> probeTasks = GpuStages.withProfile(
          jsc.parallelize(IntStream.range(0, probes).boxed().collect(Collectors.toList()), probes));
      List<String> lines = probeTasks.map(i -> ProcessFacts.ofThisJvm().toLine() + "\n" + TaskProbe.run().toLine())
          .collect();
      List<ProcessFacts> executors = lines.stream().map(l -> l.substring(0, l.indexOf('\n'))).distinct()
          .map(ProcessFacts::fromLine).collect(Collectors.toList());
      List<TaskProbe> tasks = lines.stream().map(l -> TaskProbe.fromLine(l.substring(l.indexOf('\n') + 1)))
          .collect(Collectors.toList());

      out.println("sparkpeft " + build.sparkpeft());
      row("java", driver.java() + " at " + System.getProperty("java.home"));
      row("spark", spark.version() + " (built for " + build.spark() + "), master " + jsc.master());
      row("scala", scala.util.Properties.versionNumberString() + " (built for " + build.scala() + ")");
      row("hadoop", org.apache.hadoop.util.VersionInfo.getVersion() + " (built for " + build.hadoop() + ")");
      row("dl4j/nd4j", build.dl4j() + ", dl4j-spark " + build.dl4jSpark());
      row("nd4j backend", driver.nd4jBackend() + ", BLAS " + driver.blas() + ", " + driver.blasThreads() + " threads");
      row("gpu request", describe(gpus, jsc.master()));
      row("devices", DeviceFacts.ofThisJvm());
      row("javacpp cache", driver.javacppCache());
      row("spark.serializer", spark.conf().get("spark.serializer", "(default Java)"));

      List<String> problems = new ArrayList<>();
      check(problems, "driver", driver);
      TreeMap<String, ProcessFacts> byExecutor = new TreeMap<>();
      executors.forEach(f -> byExecutor.put(f.role() + " pid " + f.pid(), f));
      byExecutor.forEach((name, facts) -> {
        check(problems, name, facts);
        checkDevices(problems, name, tasks.stream().filter(t -> t.jvm().equals(name)).toList(),
            gpus.requested() && !GpuStages.isLocal(jsc.master()));
      });
      out.println();
      if (problems.isEmpty()) {
        out.println("doctor: all checks passed (" + (1 + byExecutor.size()) + " JVMs).");
        return 0;
      }
      out.println("doctor: " + problems.size() + " problem(s):");
      problems.forEach(p -> out.println("  - " + p));
      return 1;
    }
  }

  private void check(List<String> problems, String name, ProcessFacts facts) {
    out.printf("%n[%s] %s%n", facts.healthy() ? "ok" : "FAIL", name);
    mark("Spark's JVM module flags present", facts.missingFlags().isEmpty(),
        facts.missingFlags().isEmpty() ? "" : "missing " + String.join(" ", facts.missingFlags()));
    mark("java.nio opened to Spark/ND4J", facts.nioOpened(), "");
    mark("ND4J " + facts.nd4jBackend() + " computes a matmul correctly", facts.nd4jMathOk(), facts.nd4jError());
    if (facts.nd4jMathOk()) {
      out.printf("         native: BLAS %s%n", facts.blas());
    }
    if (!facts.missingFlags().isEmpty() || !facts.nioOpened()) {
      problems.add(name + ": the JVM lacks Spark's --add-opens flags; start it through bin/sparkpeft or spark-submit "
          + "(Spark 3.5 adds them), or add them to spark.driver/executor.extraJavaOptions.");
    }
    if (!facts.nd4jMathOk() && cudaJobJar()) {
      problems.add(name + ": ND4J's CUDA backend did not load (" + facts.nd4jError() + "); this host needs the NVIDIA "
          + "driver (libcuda.so.1) and the CUDA 11.6 runtime with cuDNN 8.3 on its library path, or use the CPU job jar.");
    } else if (!facts.nd4jMathOk()) {
      problems.add(name + ": ND4J did not work (" + facts.nd4jError() + "); check the backend natives and "
          + "-Dorg.bytedeco.javacpp.cachedir.");
    }
  }

  /** The devices one executor's probe tasks saw, and whether each was bound to the GPU Spark assigned it. */
  private void checkDevices(List<String> problems, String name, List<TaskProbe> tasks, boolean gpuExpected) {
    if (tasks.isEmpty()) {
      return;
    }
    mark("devices: " + tasks.get(0).devices(), true, "");
    TreeMap<String, List<TaskProbe>> byGpu = new TreeMap<>();
    tasks.forEach(t -> byGpu.computeIfAbsent(t.gpu(), g -> new ArrayList<>()).add(t));
    byGpu.forEach((gpu, onIt) -> {
      TaskProbe first = onIt.stream().filter(t -> !t.ok()).findFirst().orElse(onIt.get(0));
      boolean missing = gpuExpected && !first.hasGpu();
      String what = first.hasGpu() ? "task GPU " + gpu + ": " + first.binding() : "tasks without a GPU";
      mark(what + " (" + onIt.size() + " task" + (onIt.size() == 1 ? "" : "s") + ")", first.ok() && !missing,
          missing ? "GPUs were requested but Spark assigned none" : "");
      if (!first.ok()) {
        problems.add(name + ": " + first.binding());
      } else if (missing) {
        problems.add(name + ": GPUs were requested but Spark assigned its tasks none; check "
            + GpuRequest.SPARK_EXECUTOR_AMOUNT + " and the workers' spark.worker.resource.gpu.* settings.");
      }
    });
  }

  /** Whether this is the CUDA job jar (built with -Pcuda): ND4J's CUDA backend classes are on the classpath. */
  static boolean cudaJobJar() {
    try {
      Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, DoctorCommand.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static String describe(GpuRequest request, String master) {
    if (!request.requested()) {
      return "none";
    }
    String amount = request.taskAmount() + " GPU per " + (request.everyStage()
        ? "task of every stage (" + GpuRequest.SPARK_TASK_AMOUNT + ")"
        : "model task (" + GpuRequest.TASK_AMOUNT + ", stage-level resource profile)");
    return GpuStages.isLocal(master) ? amount + "; ignored on " + master + ", local mode assigns no GPUs" : amount;
  }

  private void row(String key, String value) {
    out.printf("  %-17s %s%n", key, value);
  }

  private void mark(String what, boolean ok, String detail) {
    out.printf("    %s %s%s%n", ok ? "ok  " : "FAIL", what, detail == null || detail.isEmpty() || detail.equals("-") ? "" : ": " + detail);
  }
}
