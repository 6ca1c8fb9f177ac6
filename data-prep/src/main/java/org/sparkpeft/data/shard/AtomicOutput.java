package org.sparkpeft.data.shard;

import java.io.IOException;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpeft.data.DataPrepException;
import org.sparkpeft.data.config.OutputSpec;

/**
 * An output folder written atomically: everything goes to a hidden sibling ({@code .NAME.inprogress-UUID},
 * which Spark and Hadoop readers skip) and is renamed into place at the end. An existing output is refused
 * unless overwrite is set, and then replaced only once the new one is complete.
 */
public final class AtomicOutput {

  private final FileSystem fs;
  private final Path target;
  private final Path temp;
  private final boolean overwrite;

  private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.temp = temp;
    this.overwrite = overwrite;
  }

  public static AtomicOutput begin(Configuration conf, OutputSpec spec) {
    Path target = new Path(spec.path());
    try {
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      if (fs.exists(target) && !spec.overwrite()) {
        throw new DataPrepException("output " + spec.path() + " already exists; pass --overwrite (output.overwrite="
            + "true) to replace it.");
      }
      Path parent = target.getParent();
      if (parent == null) {
        throw new DataPrepException("output " + spec.path() + " must not be a file system root.");
      }
      Path temp = new Path(parent, "." + target.getName() + ".inprogress-" + UUID.randomUUID());
      if (!fs.mkdirs(temp)) {
        throw new DataPrepException("output " + spec.path() + " cannot be written: could not create " + temp + ".");
      }
      return new AtomicOutput(fs, target, temp, spec.overwrite());
    } catch (IOException e) {
      throw new DataPrepException("output " + spec.path() + " cannot be written: " + e.getMessage() + ".", e);
    }
  }

  /** Where to write now. */
  public Path temp() {
    return temp;
  }

  public Path target() {
    return target;
  }

  /** Moves the finished output into place. */
  public void commit() throws IOException {
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new DataPrepException("output " + target + " appeared while the job ran; the result stays in " + temp
            + ".");
      }
      fs.delete(target, true);
    }
    if (!fs.rename(temp, target)) {
      throw new IOException("could not rename " + temp + " to " + target);
    }
  }

  /** Removes the temporary folder after a failure (best effort). */
  public void abort() {
    try {
      fs.delete(temp, true);
    } catch (IOException ignored) {
      // the folder is hidden and named as in progress; a later run does not read it
    }
  }
}
