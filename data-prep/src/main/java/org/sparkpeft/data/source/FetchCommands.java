package org.sparkpeft.data.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.sparkpeft.data.UserError;

/**
 * The registry clients (npm, apt-get, dpkg-deb, tar) that fetch corpora into the cache, run with one-sentence
 * errors.
 */
final class FetchCommands {

  private FetchCommands() {}

  /**
   * Runs {@code command} in {@code dir}, waiting up to 10 minutes.
   *
   * @param what what is being fetched, for the error sentences ("the default corpus")
   * @param missing the sentence's end when the command is not installed (e.g. "install it (apt-get install npm)")
   */
  static void run(Path dir, String what, String missing, String... command) throws IOException {
    Path log = Files.createTempFile(dir, ".log-", "");
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UserError(what + " is fetched with `" + command[0] + "`, which is not installed; " + missing + ".", e);
    }
    try {
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        String out = Files.readString(log).strip();
        String hint = command[0].equals("apt-get") ? " (run apt-get update once if the package is not found)" : "";
        throw new UserError("`" + String.join(" ", command) + "` failed"
            + (out.isEmpty() ? "" : ": " + out.lines().reduce((a, b) -> b).orElse("")) + hint + ".");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted while fetching " + what + ".", e);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * Moves the fully unpacked {@code unpacked} folder to {@code home} in one atomic step, so a reader never sees a half
   * corpus. When the move fails because another process published the same corpus meanwhile ({@code alreadyThere}
   * holds), theirs is used.
   */
  static void publish(Path unpacked, Path home, BooleanSupplier alreadyThere) throws IOException {
    try {
      Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!alreadyThere.getAsBoolean()) {
        throw e;
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
