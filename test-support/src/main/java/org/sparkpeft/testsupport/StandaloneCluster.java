package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on 127.0.0.1: one master and N workers, each its own JVM, started from
 * Maven jars (no Spark distribution). Applications reach it through {@code SparkSubmit} in yet another
 * JVM, exactly as {@code spark-submit} would. {@link #close()} stops every JVM it started.
 */
public final class StandaloneCluster implements AutoCloseable {

  private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

  private final Spec spec;
  private final Path sparkHome;
  private final int masterPort;
  private final int masterUiPort;
  private final List<JavaProcess> daemons = new ArrayList<>();

  /**
   * What to start.
   *
   * @param workers number of worker JVMs
   * @param coresPerWorker cores each worker offers
   * @param workerMemory memory each worker offers, e.g. "2g"
   * @param workDir logs, worker dirs and the SPARK_HOME go here
   * @param sparkHome a SPARK_HOME whose jars/ holds the Spark runtime, or null: then an empty one is made and
   *     executors get {@code classpath} through spark.executor.extraClassPath
   * @param classpath classpath of the master, worker and SparkSubmit JVMs
   * @param workerConf Spark settings of every worker JVM, e.g. {@code spark.worker.resource.gpu.amount}
   */
  public record Spec(int workers, int coresPerWorker, String workerMemory, Path workDir, Path sparkHome,
                     String classpath, Map<String, String> workerConf) {
    public Spec {
      workerConf = Map.copyOf(workerConf);
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, got " + workers);
      }
      if (coresPerWorker < 1) {
        throw new IllegalArgumentException("coresPerWorker must be >= 1, got " + coresPerWorker);
      }
    }

    public Spec(int workers, int coresPerWorker, String workerMemory, Path workDir, Path sparkHome, String classpath) {
      this(workers, coresPerWorker, workerMemory, workDir, sparkHome, classpath, Map.of());
    }

    /** A cluster running the classes of this JVM's classpath (tests). */
    public static Spec ofThisClasspath(int workers, Path workDir) {
      return new Spec(workers, 1, "1536m", workDir, null, JvmFlags.thisClasspath());
    }
  }

  /** The outcome of one {@code SparkSubmit}. */
  public record Submission(int exitCode, String log) {}

  private StandaloneCluster(Spec spec, Path sparkHome) {
    this.spec = spec;
    this.sparkHome = sparkHome;
    this.masterPort = FreePorts.next();
    this.masterUiPort = FreePorts.next();
  }

  public static StandaloneCluster start(Spec spec) {
    Path home = spec.sparkHome();
    try {
      Files.createDirectories(spec.workDir());
      if (home == null) {
        home = spec.workDir().resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StandaloneCluster cluster = new StandaloneCluster(spec, home);
    try {
      cluster.startDaemons();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  public String masterUiUrl() {
    return "http://127.0.0.1:" + masterUiPort;
  }

  public Path sparkHome() {
    return sparkHome;
  }

  /** Runs {@code SparkSubmit} (client deploy mode) against this cluster and waits for it. */
  public Submission submit(String mainClass, Path appJar, Map<String, String> conf, List<String> args,
                           Duration timeout) {
    List<String> submitArgs = new ArrayList<>(List.of(
        "--master", masterUrl(), "--deploy-mode", "client", "--class", mainClass,
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false"));
    if (spec.sparkHome() == null) {
      submitArgs.addAll(List.of("--conf", "spark.executor.extraClassPath=" + spec.classpath()));
    }
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null && !conf.containsKey("spark.executor.extraJavaOptions")) {
      submitArgs.addAll(List.of("--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.cachedir=" + cache));
    }
    conf.forEach((key, value) -> submitArgs.addAll(List.of("--conf", key + "=" + value)));
    submitArgs.add(appJar.toString());
    submitArgs.addAll(args);
    String name = "submit-" + System.nanoTime();
    String driverHeap = "-Xmx" + conf.getOrDefault("spark.driver.memory", "1g");
    try (JavaProcess submit = daemon(name, "org.apache.spark.deploy.SparkSubmit")
        .jvmArgs(driverHeap).args(submitArgs).start()) {
      int exit = submit.waitFor(timeout);
      return new Submission(exit, submit.logText());
    }
  }

  /** Number of workers the master reports alive. */
  public int aliveWorkers() {
    Matcher matcher = ALIVE_WORKERS.matcher(masterJson());
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
  }

  /** The master's JSON status page. */
  public String masterJson() {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(masterUiUrl() + "/json/")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Override
  public void close() {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      daemons.get(i).close();
    }
    daemons.clear();
  }

  private void startDaemons() {
    JavaProcess master = daemon("master", "org.apache.spark.deploy.master.Master")
        .args("--host", "127.0.0.1", "--port", String.valueOf(masterPort),
            "--webui-port", String.valueOf(masterUiPort))
        .start();
    daemons.add(master);
    FreePorts.awaitListening(masterPort, Duration.ofSeconds(60), master);
    FreePorts.awaitListening(masterUiPort, Duration.ofSeconds(30), master);
    for (int i = 0; i < spec.workers(); i++) {
      Path dir = spec.workDir().resolve("worker-" + i);
      JavaProcess worker = daemon("worker-" + i, "org.apache.spark.deploy.worker.Worker")
          .jvmArgs(spec.workerConf().entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
              .toArray(String[]::new))
          .args("--host", "127.0.0.1", "--cores", String.valueOf(spec.coresPerWorker()),
              "--memory", spec.workerMemory(), "--webui-port", String.valueOf(FreePorts.next()),
              "--work-dir", dir.toString(), masterUrl())
          .start();
      daemons.add(worker);
    }
    awaitWorkers(Duration.ofSeconds(90));
  }

  private void awaitWorkers(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (aliveWorkers() < spec.workers()) {
      for (JavaProcess daemon : daemons) {
        if (!daemon.isAlive()) {
          throw new IllegalStateException(daemon.name() + " exited while the cluster started; log tail:\n"
              + daemon.logTail(60));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + aliveWorkers() + " of " + spec.workers()
            + " workers registered within " + timeout + "; master log tail:\n" + daemons.get(0).logTail(60));
      }
      Sleep.millis(300);
    }
  }

  private JavaProcess.Builder daemon(String name, String mainClass) {
    return JavaProcess.builder(name, mainClass)
        .classpath(spec.classpath())
        .jvmArgs("-Xmx512m")
        .logDir(spec.workDir().resolve("logs"))
        .env("SPARK_HOME", sparkHome.toString())
        .env("SPARK_SCALA_VERSION", "2.12")
        .env("SPARK_LOG_DIR", spec.workDir().resolve("logs").toString())
        .env("SPARK_WORKER_DIR", spec.workDir().resolve("work").toString());
  }
}
