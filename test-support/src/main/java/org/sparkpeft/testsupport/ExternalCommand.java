package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command (a script such as bin/sparkpeft, or mvn) to completion with a time limit, capturing stdout and
 * stderr separately. A command that outlives its limit is killed with its whole process tree.
 */
public final class ExternalCommand {

  /** What a finished command left behind. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** stdout and stderr together, for assertion messages. */
    public String transcript() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  private final List<String> command;
  private final Map<String, String> env = new LinkedHashMap<>();
  private Path workDir;
  private Path input;

  private ExternalCommand(List<String> command) {
    this.command = new ArrayList<>(command);
  }

  public static ExternalCommand of(String... command) {
    return new ExternalCommand(List.of(command));
  }

  public static ExternalCommand of(List<String> command) {
    return new ExternalCommand(command);
  }

  public ExternalCommand env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /** Standard input from {@code file} (default: /dev/null). */
  public ExternalCommand input(Path file) {
    this.input = file;
    return this;
  }

  public ExternalCommand workDir(Path dir) {
    this.workDir = dir;
    return this;
  }

  public Result run(Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("command", ".out");
      err = Files.createTempFile("command", ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(input == null ? new java.io.File("/dev/null") : input.toFile()));
      builder.environment().putAll(env);
      if (workDir != null) {
        builder.directory(workDir.toFile());
      }
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
            + "\n--- stdout\n" + Files.readString(out) + "\n--- stderr\n" + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file; the OS cleans up
      }
    }
  }
}
