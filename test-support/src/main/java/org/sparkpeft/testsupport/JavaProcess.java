package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started by a harness: its output goes to a log file, and {@link #close()} (or the test JVM's
 * exit) ends it together with every process it started, so a failing test leaves nothing running.
 */
public final class JavaProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;
  private final Thread reaper;

  private JavaProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.reaper = new Thread(this::kill, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  public static Builder builder(String name, String mainClass) {
    return new Builder(name, mainClass);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Waits for the process to exit and returns its exit code; kills it and fails after {@code timeout}. */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
        throw new IllegalStateException(name + " did not finish within " + timeout + "; log tail:\n" + logTail(80));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IllegalStateException("interrupted while waiting for " + name, e);
    }
  }

  /** The whole log as text. */
  public String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  public String logTail(int lines) {
    String[] all = logText().split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run; nothing to remove
    }
  }

  private void kill() {
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (ProcessHandle handle : tree) {
      while (handle.isAlive() && System.nanoTime() < deadline) {
        Sleep.millis(50);
      }
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
  }

  /** Builds the command line of a child JVM. */
  public static final class Builder {
    private final String name;
    private final String mainClass;
    private String classpath = JvmFlags.thisClasspath();
    private final List<String> jvmArgs = new ArrayList<>(JvmFlags.forChildJvm());
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path logDir = Paths.get(System.getProperty("java.io.tmpdir"));
    private Path workDir;

    private Builder(String name, String mainClass) {
      this.name = name;
      this.mainClass = mainClass;
      env.put("SPARK_LOCAL_IP", "127.0.0.1");
    }

    public Builder classpath(String value) {
      this.classpath = value;
      return this;
    }

    public Builder jvmArgs(String... values) {
      jvmArgs.addAll(List.of(values));
      return this;
    }

    public Builder args(String... values) {
      args.addAll(List.of(values));
      return this;
    }

    public Builder args(List<String> values) {
      args.addAll(values);
      return this;
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder logDir(Path dir) {
      this.logDir = dir;
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** The command line this builder would run (for logs and failure messages). */
    public List<String> command() {
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmArgs);
      if (mainClass.endsWith(".jar")) {
        command.add("-jar");
        command.add(mainClass);
      } else {
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
      }
      command.addAll(args);
      return command;
    }

    public JavaProcess start() {
      try {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(env);
        if (workDir != null) {
          Files.createDirectories(workDir);
          builder.directory(workDir.toFile());
        }
        return new JavaProcess(name, builder.start(), log);
      } catch (IOException e) {
        throw new UncheckedIOException("could not start " + name, e);
      }
    }
  }
}
