package org.sparkpeft.data.shard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;

/**
 * A lock on one output path, so that two jobs never write, checkpoint or prepare into the same place at once: a file
 * {@code <parent>/.<name>.lock} created exclusively (create without overwrite), holding its owner (user, host, pid,
 * start time), and rewritten by its holder every heartbeat (a fifth of the stale time, at most a minute).
 *
 * <p>Stale-lock rule: a lock is taken over (with a warning naming its owner) when its owner ran on this host and its
 * process is gone, or when it has not been rewritten for {@code staleSeconds} (default 600, Hadoop key
 * {@value #STALE_KEY}): its owner was killed or lost its connection. Clocks of the writer and the file system are
 * compared, so keep the stale time well above their skew. On HDFS and local files the exclusive create is atomic; on
 * S3 (Hadoop 3.3's S3A has no conditional create) two jobs that start within the same moment can both take it.
 */
public final class OutputLock implements AutoCloseable {

  public static final String STALE_KEY = "sparkpeft.output.lock-stale-seconds";
  public static final long DEFAULT_STALE_SECONDS = 600;

  private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** What a lock file holds. */
  public record Owner(String user, String host, long pid, String token, String target, String started,
                      String heartbeat) {}

  private final FileSystem fs;
  private final Path file;
  private final Owner owner;
  private final ScheduledExecutorService heartbeat;
  private boolean released;

  private OutputLock(FileSystem fs, Path file, Owner owner, long heartbeatSeconds) {
    this.fs = fs;
    this.file = file;
    this.owner = owner;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sparkpeft-lock-heartbeat " + file.getName());
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleWithFixedDelay(this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
  }

  /** The lock file of {@code target}: {@code <parent>/.<name>.lock}. */
  public static Path fileOf(Path target) {
    return new Path(target.getParent(), "." + target.getName() + ".lock");
  }

  /**
   * Takes the lock of {@code target}, or throws a {@link UserError} naming the output, the owner and the lock
   * file when a live job holds it.
   */
  public static OutputLock acquire(FileSystem fs, Path target, long staleSeconds) {
    Path file = fileOf(target);
    String now = Instant.now().toString();
    Owner owner = new Owner(System.getProperty("user.name"), host(), ProcessHandle.current().pid(),
        UUID.randomUUID().toString(), target.toString(), now, now);
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        try (OutputStream out = fs.create(file, false)) {
          JSON.writeValue(out, owner);
        }
        return new OutputLock(fs, file, owner, Math.max(1, Math.min(60, staleSeconds / 5)));
      } catch (FileAlreadyExistsException e) {
        takeOverIfStale(fs, file, target, staleSeconds);
      } catch (IOException e) {
        if (attempt == 0 && exists(fs, file)) {
          takeOverIfStale(fs, file, target, staleSeconds);
          continue;
        }
        throw new UserError("output " + target + " cannot be locked: " + e.getMessage() + " (" + file + ").",
            e);
      }
    }
    throw new UserError("output " + target + " is locked by another job that started at the same moment ("
        + file + "); run again once it has finished.");
  }

  /** Deletes a stale lock (logging whose it was); throws if the lock is live. */
  private static void takeOverIfStale(FileSystem fs, Path file, Path target, long staleSeconds) {
    try {
      FileStatus status = fs.getFileStatus(file);
      Owner holder = read(fs, file);
      long idle = (System.currentTimeMillis() - status.getModificationTime()) / 1000;
      boolean gone = holder != null && host().equals(holder.host())
          && ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
      if (gone || idle > staleSeconds) {
        LOG.warn("taking over the stale lock {} of {}: {}", file, describe(holder),
            gone ? "its process is gone" : "not renewed for " + idle + " s");
        fs.delete(file, false);
        return;
      }
      throw new UserError("output " + target + " is being written by another job (" + describe(holder)
          + ", renewed " + idle + " s ago); wait for it to finish, or delete " + file + " if that job is gone.");
    } catch (java.io.FileNotFoundException e) {
      // released meanwhile: try again
    } catch (IOException e) {
      throw new UserError("output " + target + " cannot be locked: " + e.getMessage() + " (" + file + ").",
          e);
    }
  }

  private static Owner read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return JSON.readValue(in, Owner.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      return null; // half-written or foreign: judged by its age alone
    }
  }

  private static String describe(Owner o) {
    return o == null ? "an unreadable lock" : o.user() + "@" + o.host() + " pid " + o.pid() + ", since " + o.started();
  }

  private static boolean exists(FileSystem fs, Path file) {
    try {
      return fs.exists(file);
    } catch (IOException e) {
      return false;
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  public Path file() {
    return file;
  }

  /** Rewrites the lock (its modification time is the heartbeat), unless another job took it over. */
  private synchronized void beat() {
    if (released) {
      return;
    }
    try {
      Owner now = read(fs, file);
      if (now == null || !owner.token().equals(now.token())) {
        LOG.warn("the lock {} was taken over by {} (this job was not heard from in time)", file, describe(now));
        return;
      }
      try (OutputStream out = fs.create(file, true)) {
        JSON.writeValue(out, new Owner(owner.user(), owner.host(), owner.pid(), owner.token(), owner.target(),
            owner.started(), Instant.now().toString()));
      }
    } catch (IOException e) {
      LOG.warn("could not renew the lock {}: {}", file, e.getMessage());
    }
  }

  /** Releases the lock (deletes the file if it is still this job's). Idempotent. */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    heartbeat.shutdownNow();
    try {
      Owner now = read(fs, file);
      if (now != null && owner.token().equals(now.token())) {
        fs.delete(file, false);
      }
    } catch (IOException e) {
      LOG.warn("could not release the lock {}: {}", file, e.getMessage());
    }
  }
}
