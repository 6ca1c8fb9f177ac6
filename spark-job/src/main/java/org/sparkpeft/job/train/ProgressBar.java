package org.sparkpeft.job.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One updating line on an interactive terminal, redrawn after every round:
 * {@code [#####.....] round 7/40 · epoch 2 · loss 0.113 · 12.1 ex/s · ETA 3m10s}. Enabled only when the JVM has a
 * console and its stderr is a terminal ({@link #forTerminal()}); the trainer's per-round log line is printed above it.
 */
public final class ProgressBar implements Consumer<AdapterTrainer.RoundInfo> {

  private static final int WIDTH = 10;

  private final PrintStream out;
  private int lastLength;

  public ProgressBar(PrintStream out) {
    this.out = out;
  }

  /** A bar on stderr when it is an interactive terminal, otherwise null. */
  public static ProgressBar forTerminal() {
    return System.console() != null && stderrIsTerminal() ? new ProgressBar(System.err) : null;
  }

  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public synchronized void accept(AdapterTrainer.RoundInfo info) {
    String line = line(info);
    out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
    out.flush();
    lastLength = line.length();
  }

  /** Erases the bar (before a log line, or at the end). */
  public synchronized void clear() {
    if (lastLength > 0) {
      out.print("\r" + " ".repeat(lastLength) + "\r");
      out.flush();
      lastLength = 0;
    }
  }

  static String line(AdapterTrainer.RoundInfo info) {
    int total = Math.max(info.round(), info.totalRounds());
    int filled = (int) Math.round(WIDTH * (double) info.round() / total);
    return String.format(Locale.ROOT, "[%s%s] round %d/%d · epoch %d · loss %.3f · %.1f ex/s · ETA %s",
        "#".repeat(filled), ".".repeat(WIDTH - filled), info.round(), total, info.epoch() + 1, info.loss(),
        info.examplesPerSec(), duration(info.etaSeconds()));
  }

  static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
