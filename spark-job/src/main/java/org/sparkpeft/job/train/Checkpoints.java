package org.sparkpeft.job.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.data.DataIdentity;

/**
 * A run's checkpoints in one folder on any Hadoop file system ({@code file://}, {@code hdfs://}, {@code s3a://}):
 * {@code round-NNNNNN.json}, each written to a temporary name and renamed into place, so a reader finds only complete
 * ones (on S3A the rename is a copy, and the object appears whole). The newest two are kept.
 *
 * <p>Where: {@link #beside(String)} puts them in a hidden sibling of the job's output, {@code <parent>/.<name>.checkpoints/}.
 * Not inside the output, because the output folder is written atomically (a temporary folder renamed at the end) and
 * must not exist before that, or a re-run would be refused as "output exists"; the sibling survives a killed driver,
 * is found again by re-running the same command, and is skipped by Hadoop and Spark readers like the output's own
 * {@code .<name>.inprogress-*} folder. The job deletes it once the output is committed.
 */
public final class Checkpoints {

  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final Pattern NAME = Pattern.compile("round-(\\d{6,})\\.json");
  private static final int KEEP = 2;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Configuration conf;
  private final Path dir;

  public Checkpoints(Configuration conf, Path dir) {
    this.conf = conf;
    this.dir = dir;
  }

  /** The checkpoint folder of the job writing {@code output}: {@code <parent>/.<name>.checkpoints}. */
  public static Path beside(String output) {
    Path target = new Path(output);
    if (target.getParent() == null) {
      throw new UserError("output " + output + " must not be a file system root.");
    }
    return new Path(target.getParent(), "." + target.getName() + ".checkpoints");
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code checkpoint} atomically and drops all but the newest {@value #KEEP}. */
  public void write(Checkpoint checkpoint) {
    Path target = new Path(dir, String.format(java.util.Locale.ROOT, "round-%06d.json", checkpoint.round()));
    Path temp = new Path(dir, "_" + target.getName() + ".tmp");
    try {
      FileSystem fs = dir.getFileSystem(conf);
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(temp, true)) {
        JSON.writeValue(out, checkpoint);
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(temp, target)) {
        throw new IOException("could not rename " + temp + " to " + target);
      }
      List<Path> all = list(fs);
      for (int i = 0; i < all.size() - KEEP; i++) {
        fs.delete(all.get(i), false);
      }
    } catch (IOException e) {
      throw new IllegalStateException("writing checkpoint " + target + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The newest checkpoint, if any. One written for other data (by content: {@link DataIdentity}) or another
   * configuration is refused with a sentence naming the folder (and both data): resuming it would silently mix two
   * runs.
   */
  public Optional<Checkpoint> latest(String fingerprint, DataIdentity data) {
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return Optional.empty();
      }
      List<Path> all = list(fs);
      if (all.isEmpty()) {
        return Optional.empty();
      }
      Path newest = all.get(all.size() - 1);
      Checkpoint checkpoint;
      try (InputStream in = fs.open(newest)) {
        checkpoint = JSON.readValue(in, Checkpoint.class);
      }
      if (checkpoint.format() == Checkpoint.FORMAT && !data.sameContent(checkpoint.data())) {
        throw new UserError("checkpoint " + newest + " was trained on data " + checkpoint.data().describe()
            + ", but this run's data is " + data.describe() + "; delete " + dir + " to start over on the new data, "
            + "or run again on the data that wrote it.");
      }
      if (checkpoint.format() != Checkpoint.FORMAT || !fingerprint.equals(checkpoint.fingerprint())) {
        throw new UserError("checkpoint " + newest + " was written by a different training configuration (or "
            + "sparkpeft version); delete " + dir + " to start over, or run the configuration that wrote it.");
      }
      LOG.info("resuming from checkpoint " + newest + " (round " + checkpoint.round() + ")");
      return Optional.of(checkpoint);
    } catch (IOException e) {
      throw new IllegalStateException("reading checkpoints in " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /** Removes the folder (after the output it belongs to was committed). */
  public void delete() {
    try {
      dir.getFileSystem(conf).delete(dir, true);
    } catch (IOException e) {
      LOG.warn("could not delete checkpoints " + dir + ": " + e.getMessage());
    }
  }

  private List<Path> list(FileSystem fs) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!fs.exists(dir)) {
      return out;
    }
    for (FileStatus status : fs.listStatus(dir)) {
      Matcher m = NAME.matcher(status.getPath().getName());
      if (status.isFile() && m.matches()) {
        out.add(status.getPath());
      }
    }
    out.sort((a, b) -> Long.compare(round(a), round(b)));
    return out;
  }

  private static long round(Path p) {
    Matcher m = NAME.matcher(p.getName());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
