package org.sparkpeft.models.nativebuild;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the garbage collector when the process's resident memory has grown by more than a slack since the last
 * collection. ND4J's CPU arrays hold their data off-heap and free it only once the collector finds their small Java
 * objects gone; a JVM whose heap is quiet (an executor between models, a notebook, a test JVM that builds model after
 * model) then keeps gigabytes of dead arrays: spark-job's tests, one JVM with a 6 GB heap, held 10.5 GB resident of
 * which a collection freed 5.3 GB. JavaCPP has such a guard ({@code org.bytedeco.javacpp.maxPhysicalBytes}), but only
 * for its own allocations, and ND4J's are not among them.
 * <p>A daemon thread reads the resident size ({@code /proc/self/statm}) every {@value #POLL_MILLIS} ms. When it
 * exceeds the level measured after the last collection by the slack ({@value #SLACK_PROPERTY}, default
 * {@value #DEFAULT_SLACK_MB} MB, e.g. {@code -Dsparkpeft.offheap.slack=2g}; 0 turns the watch off), the thread calls
 * {@code System.gc()} (at most every {@value #MIN_GAP_MILLIS} ms), gives ND4J's deallocator
 * {@value #SETTLE_MILLIS} ms, and takes the new level, so live growth (a larger heap, a cached model) costs one
 * collection per slack, and dead arrays are freed within a slack of their death. {@link NativeBuildSelector} starts
 * it in every JVM that loads ND4J.
 */
public final class OffHeapWatch {

  public static final String SLACK_PROPERTY = "sparkpeft.offheap.slack";
  static final long DEFAULT_SLACK_MB = 1024;
  static final long POLL_MILLIS = 500;
  static final long MIN_GAP_MILLIS = 10_000;
  /** How long ND4J's deallocator thread gets to free what a collection found dead. */
  static final long SETTLE_MILLIS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(OffHeapWatch.class);
  private static final Path STATM = Path.of("/proc/self/statm");
  private static final long PAGE_BYTES = pageBytes();

  private static OffHeapWatch started;
  private static String described;

  private final long slackBytes;
  private final AtomicLong collections = new AtomicLong();
  private volatile long level;

  OffHeapWatch(long slackBytes) {
    this.slackBytes = slackBytes;
  }

  /** Starts the JVM's watch once (unless turned off or not on Linux); returns what {@link #describe} says. */
  public static synchronized String start() {
    if (described != null) {
      return described;
    }
    long slack;
    try {
      slack = parseBytes(System.getProperty(SLACK_PROPERTY, DEFAULT_SLACK_MB + "m"));
    } catch (IllegalArgumentException e) {
      described = "off-heap watch off (" + e.getMessage() + ")";
      LOG.warn("{}", described);
      return described;
    }
    if (slack == 0) {
      described = "off-heap watch off (" + SLACK_PROPERTY + "=0)";
    } else if (residentBytes() < 0) {
      described = "off-heap watch off (no " + STATM + ")";
    } else {
      started = new OffHeapWatch(slack);
      started.startThread();
      described = "off-heap watch: a GC after " + slack / (1024 * 1024) + " MB of resident growth";
    }
    return described;
  }

  /** What {@link #start()} did, for {@code doctor}; null before it ran. */
  public static synchronized String describe() {
    return described;
  }

  /** Collections the JVM's watch has asked for (0 when it does not run). */
  public static synchronized long collectionsRequested() {
    return started == null ? 0 : started.collections();
  }

  void startThread() {
    level = residentBytes();
    Thread thread = new Thread(this::run, "sparkpeft-offheap-watch");
    thread.setDaemon(true);
    thread.start();
  }

  long collections() {
    return collections.get();
  }

  private void run() {
    long lastGc = 0;
    while (true) {
      try {
        Thread.sleep(POLL_MILLIS);
        long now = System.currentTimeMillis();
        long resident = residentBytes();
        if (resident - level > slackBytes && now - lastGc >= MIN_GAP_MILLIS) {
          System.gc();
          collections.incrementAndGet();
          Thread.sleep(SETTLE_MILLIS);
          long after = residentBytes();
          LOG.debug("resident {} MB: GC; {} MB after", resident >> 20, after >> 20);
          level = after;
          lastGc = System.currentTimeMillis();
        } else if (resident < level) {
          level = resident; // memory went back on its own: measure growth from here
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) { // never let the watch die silently in a long-lived JVM
        LOG.warn("off-heap watch: {}", e.toString());
      }
    }
  }

  /** Resident bytes of this process, or -1 where /proc/self/statm is missing. */
  static long residentBytes() {
    try {
      String[] fields = Files.readString(STATM, StandardCharsets.US_ASCII).trim().split("\\s+");
      return Long.parseLong(fields[1]) * PAGE_BYTES;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long pageBytes() {
    try {
      return com.sun.jna.NativeLibrary.getInstance("c").getFunction("getpagesize").invokeInt(new Object[0]);
    } catch (Throwable t) { // no JNA native support: the common page size
      return 4096;
    }
  }

  /** "1024m", "2g", "0", plain bytes. */
  static long parseBytes(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
      unit = switch (t.charAt(t.length() - 1)) {
        case 'k' -> 1024L;
        case 'm' -> 1024L * 1024;
        default -> 1024L * 1024 * 1024;
      };
      t = t.substring(0, t.length() - 1);
    }
    try {
      long value = Long.parseLong(t);
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SLACK_PROPERTY + "=" + text + " is not a size such as 1024m or 2g");
    }
  }
}
