package org.sparkpeft.job.train.cache;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.apache.spark.SparkEnv;

/**
 * One job's frozen-trunk features on one executor: per example (keyed by its exact token ids, which with the cache
 * key fix the trunk's output), float32 values appended to one file under the executor's Spark local directory (the
 * OS page cache keeps recent entries in memory), indexed in memory. A put that would take the file over the cap is
 * refused (that example is recomputed every epoch). Thread-safe: tasks of one executor share it; an entry is visible
 * only once its bytes are written. One store per {@link FeatureCacheSpec#storeId()} per JVM, removed (index and file)
 * by {@link #drop}.
 */
public final class FeatureStore {

  private static final Map<String, FeatureStore> OPEN = new ConcurrentHashMap<>();

  private final Path dir;
  private final FileChannel channel;
  private final long maxBytes;
  private final Map<Ids, Entry> index = new ConcurrentHashMap<>();
  private long size;
  private boolean closed;

  private record Entry(long offset, int floats) {}

  /** Token ids as a map key (arrays compare by identity). */
  private record Ids(int[] ids, int hash) {
    Ids(int[] ids) {
      this(ids, Arrays.hashCode(ids));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ids other && other.hash == hash && Arrays.equals(other.ids, ids);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  FeatureStore(Path dir, long maxBytes) {
    try {
      Files.createDirectories(dir);
      this.dir = dir;
      this.channel = FileChannel.open(dir.resolve("features.f32"), StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the feature cache in " + dir, e);
    }
    this.maxBytes = maxBytes;
  }

  /** This JVM's store for {@code spec}, created on first use under the executor's Spark local directory. */
  public static FeatureStore open(FeatureCacheSpec spec) {
    return OPEN.computeIfAbsent(spec.storeId(), id -> new FeatureStore(localRoot().resolve("sparkpeft-features-" + id),
        spec.maxMegabytes() << 20));
  }

  /** Closes and deletes this JVM's store of {@code storeId}, if any; true if there was one. */
  public static boolean drop(String storeId) {
    FeatureStore store = OPEN.remove(storeId);
    if (store == null) {
      return false;
    }
    store.close();
    return true;
  }

  /** The stored features of the example with token ids {@code ids}, or null. */
  public float[] get(int[] ids) {
    Entry entry = index.get(new Ids(ids));
    if (entry == null) {
      return null;
    }
    ByteBuffer bytes = ByteBuffer.allocate(entry.floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    try {
      long position = entry.offset;
      while (bytes.hasRemaining()) {
        int read = channel.read(bytes, position);
        if (read < 0) {
          throw new IOException("the feature cache file ends early");
        }
        position += read;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the feature cache in " + dir, e);
    }
    bytes.flip();
    float[] out = new float[entry.floats];
    bytes.asFloatBuffer().get(out);
    return out;
  }

  /**
   * Stores the features of the example with token ids {@code ids} (a copy of {@code ids} is kept); false when the
   * store is full (or closed). Storing an example already stored keeps the first.
   */
  public boolean put(int[] ids, float[] features) {
    Ids key = new Ids(ids.clone());
    if (index.containsKey(key)) {
      return true;
    }
    ByteBuffer bytes = ByteBuffer.allocate(features.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(features);
    long offset;
    synchronized (this) {
      if (closed || size + bytes.capacity() > maxBytes) {
        return false;
      }
      offset = size;
      size += bytes.capacity();
    }
    try {
      long position = offset;
      while (bytes.hasRemaining()) {
        position += channel.write(bytes, position);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the feature cache in " + dir, e);
    }
    index.putIfAbsent(key, new Entry(offset, features.length));
    return true;
  }

  /** Bytes stored. */
  public synchronized long bytes() {
    return size;
  }

  /** Examples stored. */
  public int examples() {
    return index.size();
  }

  Path dir() {
    return dir;
  }

  private void close() {
    synchronized (this) {
      closed = true;
    }
    index.clear();
    try {
      channel.close();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the feature cache in " + dir, e);
    }
  }

  /** The first of the executor's Spark local directories (deleted when the executor stops), else java.io.tmpdir. */
  private static Path localRoot() {
    SparkEnv env = SparkEnv.get();
    if (env != null && env.blockManager() != null) {
      File[] dirs = env.blockManager().diskBlockManager().localDirs();
      if (dirs.length > 0) {
        return dirs[0].toPath();
      }
    }
    return Path.of(System.getProperty("java.io.tmpdir"));
  }
}
