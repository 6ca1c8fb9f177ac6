package org.sparkpeft.job.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpeft.data.UserError;
import org.sparkpeft.models.io.AdapterFiles;

/**
 * Adapter folders ({@code adapter_config.json} + {@code adapter_model.safetensors}, the format of
 * {@link AdapterFiles}) and the files beside them on any Hadoop file system ({@code file://}, {@code hdfs://},
 * {@code s3a://}). Reading checks nothing but presence; {@link AdapterFiles#load} checks the contents.
 */
public final class AdapterStore {

  /** The largest adapter_config.json read (it holds a config and a label map). */
  static final long MAX_CONFIG_BYTES = 16L << 20;
  /** The largest weights file read: a Java array's limit (a full-layer adapter of a BERT-base is ~0.4 GB). */
  static final long MAX_WEIGHTS_BYTES = Integer.MAX_VALUE - 8;

  private AdapterStore() {}

  /** The adapter folder's two files; a {@link UserError} naming the folder when one is missing or unreadable. */
  public static AdapterFiles.Files read(Configuration conf, String folder) {
    return new AdapterFiles.Files(readFile(conf, folder, AdapterFiles.CONFIG, MAX_CONFIG_BYTES),
        readFile(conf, folder, AdapterFiles.WEIGHTS, MAX_WEIGHTS_BYTES));
  }

  /** Writes the adapter's two files into {@code folder}; returns their size in bytes. */
  public static long write(Configuration conf, Path folder, AdapterFiles.Files files) throws IOException {
    write(conf, new Path(folder, AdapterFiles.CONFIG), files.config());
    write(conf, new Path(folder, AdapterFiles.WEIGHTS), files.weights());
    return (long) files.config().length + files.weights().length;
  }

  /** Writes {@code text} (UTF-8) to {@code path}, replacing it. */
  public static void write(Configuration conf, Path path, String text) throws IOException {
    write(conf, path, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} to {@code path}, replacing it. */
  public static void write(Configuration conf, Path path, byte[] bytes) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    try (OutputStream out = fs.create(path, true)) {
      out.write(bytes);
    }
  }

  private static byte[] readFile(Configuration conf, String folder, String name, long maxBytes) {
    Path path = new Path(folder, name);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new UserError("adapter " + folder + " has no " + name + "; give the adapter/ folder a train run wrote.");
      }
      long size = fs.getFileStatus(path).getLen();
      if (size > maxBytes) {
        throw new UserError("adapter " + folder + " has " + name + " of " + size + " bytes, more than an adapter's "
            + maxBytes + "; it is not an adapter folder a train run wrote.");
      }
      try (InputStream in = fs.open(path)) {
        return in.readNBytes((int) size);
      }
    } catch (IOException e) {
      throw new UserError(path + " cannot be read: " + e.getMessage() + ".", e);
    }
  }
}
