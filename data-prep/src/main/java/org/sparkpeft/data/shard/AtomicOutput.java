package org.sparkpeft.data.shard;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.OutputSpec;

/**
 * An output folder written atomically, on any Hadoop file system:
 * <ol>
 *   <li>{@link #begin} takes the output's {@link OutputLock} (a second job on the same output stops with one sentence;
 *   the lock also guards the checkpoint and prepared folders named after the output), removes what killed runs left
 *   ({@code .NAME.inprogress-*}; a {@code .NAME.previous-*} is restored if a run died between retiring the old output
 *   and moving the new one in), and refuses an existing output unless overwrite is set;</li>
 *   <li>the job writes into a hidden sibling, {@code .NAME.inprogress-UUID} (Spark and Hadoop readers skip it);</li>
 *   <li>{@link #commit} writes {@code _SUCCESS} last, as the {@link OutputListing} of every file with its size and
 *   sha256, moves an existing output aside (never deleted before the new one is complete and in place), moves the new
 *   one in, then deletes the old one and releases the lock.</li>
 * </ol>
 * Where a directory rename is atomic (local files, HDFS) the new folder is renamed into place; elsewhere (S3, where
 * a rename copies object by object) its files are moved one by one with {@code _SUCCESS} last, so a reader that
 * {@link OutputListing#verify verifies} the listing never takes a half-copied folder for a complete one.
 */
public final class AtomicOutput {

  /** Schemes whose directory rename is atomic. */
  private static final Set<String> ATOMIC_RENAME = Set.of("file", "hdfs", "viewfs");
  /** Hadoop key forcing the file-by-file move (as on S3) on any file system; for tests. */
  public static final String MOVE_FILES_KEY = "sparkpeft.output.move-files";

  private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);

  private final FileSystem fs;
  private final Path target;
  private final Path temp;
  private final boolean overwrite;
  private final boolean moveFiles;
  private final OutputLock lock;

  private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite, boolean moveFiles, OutputLock lock) {
    this.fs = fs;
    this.target = target;
    this.temp = temp;
    this.overwrite = overwrite;
    this.moveFiles = moveFiles;
    this.lock = lock;
  }

  public static AtomicOutput begin(Configuration conf, OutputSpec spec) {
    Path target = new Path(spec.path());
    FileSystem fs;
    try {
      fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
    } catch (IOException e) {
      throw new UserError("output " + spec.path() + " cannot be written: " + e.getMessage() + ".", e);
    }
    Path parent = target.getParent();
    if (parent == null) {
      throw new UserError("output " + spec.path() + " must not be a file system root.");
    }
    OutputLock lock = OutputLock.acquire(fs, target,
        conf.getLong(OutputLock.STALE_KEY, OutputLock.DEFAULT_STALE_SECONDS));
    try {
      recover(fs, target);
      if (fs.exists(target) && !spec.overwrite()) {
        throw new UserError("output " + spec.path() + " already exists; pass --overwrite (output.overwrite="
            + "true) to replace it.");
      }
      Path temp = new Path(parent, "." + target.getName() + ".inprogress-" + UUID.randomUUID());
      if (!fs.mkdirs(temp)) {
        throw new UserError("output " + spec.path() + " cannot be written: could not create " + temp + ".");
      }
      boolean moveFiles = conf.getBoolean(MOVE_FILES_KEY, false)
          || !ATOMIC_RENAME.contains(fs.getScheme().toLowerCase(Locale.ROOT));
      return new AtomicOutput(fs, target, temp, spec.overwrite(), moveFiles, lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      if (e instanceof UserError d) {
        throw d;
      }
      throw new UserError("output " + spec.path() + " cannot be written: " + e.getMessage() + ".", e);
    }
  }

  /**
   * Under the lock, no other job writes this output: what a killed run left is removed, and an output that a run
   * retired and then died before replacing is put back.
   */
  private static void recover(FileSystem fs, Path target) throws IOException {
    String inProgress = "." + target.getName() + ".inprogress-";
    String previous = "." + target.getName() + ".previous-";
    for (FileStatus status : fs.listStatus(target.getParent())) {
      String name = status.getPath().getName();
      if (name.startsWith(inProgress)) {
        LOG.info("removing {}, left by a run of {} that did not finish", status.getPath(), target);
        fs.delete(status.getPath(), true);
      } else if (name.startsWith(previous)) {
        if (!OutputListing.isComplete(fs, target) && OutputListing.isComplete(fs, status.getPath())) {
          LOG.warn("restoring {} from {}: the run that replaced it died before its new output was in place", target,
              status.getPath());
          if (fs.exists(target)) {
            fs.delete(target, true);
          }
          if (!fs.rename(status.getPath(), target)) {
            throw new IOException("could not restore " + status.getPath() + " to " + target);
          }
        } else {
          LOG.info("removing {}, the output a finished run replaced", status.getPath());
          fs.delete(status.getPath(), true);
        }
      }
    }
  }

  /** Where to write now. */
  public Path temp() {
    return temp;
  }

  public Path target() {
    return target;
  }

  /** Writes the {@code _SUCCESS} listing, moves the finished output into place and releases the lock. */
  public void commit() throws IOException {
    try {
      OutputListing.write(fs, temp);
      Path retired = null;
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new UserError("output " + target + " appeared while the job ran; the result stays in " + temp
              + ".");
        }
        retired = new Path(target.getParent(), "." + target.getName() + ".previous-" + UUID.randomUUID());
        if (!fs.rename(target, retired)) {
          throw new IOException("could not move the previous output " + target + " aside to " + retired);
        }
      }
      try {
        moveIn();
      } catch (IOException | RuntimeException e) {
        if (retired != null) {
          putBack(retired);
        }
        throw e;
      }
      if (retired != null) {
        fs.delete(retired, true);
      }
    } finally {
      lock.close();
    }
  }

  private void moveIn() throws IOException {
    if (!moveFiles) {
      if (!fs.rename(temp, target)) {
        throw new IOException("could not rename " + temp + " to " + target);
      }
      return;
    }
    // one object at a time, the listing last: a reader sees an incomplete folder as incomplete
    Path root = fs.makeQualified(temp);
    String base = root.toUri().getPath();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    java.util.List<Path> all = new java.util.ArrayList<>();
    while (files.hasNext()) {
      all.add(files.next().getPath());
    }
    Path marker = new Path(root, OutputListing.NAME);
    for (Path file : all) {
      if (!file.equals(marker)) {
        move(file, new Path(target, file.toUri().getPath().substring(base.length() + 1)));
      }
    }
    move(marker, new Path(target, OutputListing.NAME));
    fs.delete(temp, true);
  }

  private void move(Path from, Path to) throws IOException {
    fs.mkdirs(to.getParent());
    if (!fs.rename(from, to)) {
      throw new IOException("could not move " + from + " to " + to);
    }
  }

  private void putBack(Path retired) {
    try {
      if (fs.exists(target)) {
        fs.delete(target, true);
      }
      if (fs.rename(retired, target)) {
        LOG.warn("the new output could not be moved into place; the previous {} is back", target);
      }
    } catch (IOException e) {
      LOG.warn("the previous output stays in {} (the next run on {} restores it): {}", retired, target,
          e.getMessage());
    }
  }

  /** Removes the temporary folder after a failure (best effort) and releases the lock. */
  public void abort() {
    try {
      fs.delete(temp, true);
    } catch (IOException ignored) {
      // the folder is hidden and named as in progress; the next run on this output removes it
    } finally {
      lock.close();
    }
  }
}
