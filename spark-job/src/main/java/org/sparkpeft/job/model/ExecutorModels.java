package org.sparkpeft.job.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.hadoop.conf.Configuration;
import org.sparkpeft.job.gpu.TaskDevice;
import org.sparkpeft.models.BaseModel;

/**
 * Per-JVM cache of base models and of the objects built on them: an executor imports a base once, however many
 * tasks and rounds use it, and checks it against the driver's fingerprint. Objects that are not thread-safe
 * (DL4J graphs) are pooled: a task borrows one and gives it back. Both first bind the task to its device
 * ({@link TaskDevice}: the GPU Spark assigned it, or the CPU backend's native threads sized to the task), and both
 * caches are per device: a model's arrays live on the device it was built on.
 * <p>Both are bounded, since an executor (or a notebook's driver in local mode) outlives the jobs whose keys fill
 * them: the {@value #KEPT_BASES} most recently used bases stay, and pooled objects stay while their key (a training
 * run, an adapter) was used in the last {@value #POOL_IDLE_SECONDS} s, for at most {@value #KEPT_POOLS} keys
 * ({@link IdlePools}). Unbounded, the pools of finished runs held hundreds of MB each, off-heap.
 */
public final class ExecutorModels {

  static final int KEPT_BASES = 2;
  static final int KEPT_POOLS = 8;
  static final int POOL_IDLE_SECONDS = 120;

  /** In access order, the least recently used first; guarded by itself. */
  private static final Map<OnDevice, BaseModel> MODELS = new LinkedHashMap<>(8, 0.75f, true);
  private static final IdlePools POOLS = new IdlePools(KEPT_POOLS, TimeUnit.SECONDS.toNanos(POOL_IDLE_SECONDS),
      System::nanoTime);

  /** A cache key on one device ({@link TaskDevice} keys: "cpu", "gpu:N"). */
  record OnDevice(Object key, String device) {}

  private ExecutorModels() {}

  /** The model at {@code location}, imported at most once per JVM, verified against {@code fingerprint}. */
  public static BaseModel model(ModelLocation location, Map<String, String> hadoopConf, String fingerprint) {
    OnDevice key = new OnDevice(location, TaskDevice.bind());
    synchronized (MODELS) { // tasks that need the same base wait for one import
      BaseModel model = MODELS.computeIfAbsent(key, k -> location.load(configuration(hadoopConf)));
      if (fingerprint != null && !fingerprint.equals(model.fingerprint())) {
        MODELS.remove(key);
        throw new IllegalStateException("base model " + location + " changed while the job ran: fingerprint "
            + model.fingerprint() + " on this executor, " + fingerprint + " on the driver");
      }
      while (MODELS.size() > KEPT_BASES) {
        MODELS.remove(MODELS.keySet().iterator().next());
      }
      return model;
    }
  }

  /** Borrows a pooled object for {@code key}, creating one when none is free. */
  @SuppressWarnings("unchecked")
  public static <T> T borrow(Object key, Function<Object, T> create) {
    Object pooled = POOLS.poll(new OnDevice(key, TaskDevice.bind()));
    return pooled != null ? (T) pooled : create.apply(key);
  }

  /** Gives a borrowed object back, from the task that borrowed it. */
  public static void giveBack(Object key, Object value) {
    POOLS.add(new OnDevice(key, TaskDevice.current()), value);
  }

  static Configuration configuration(Map<String, String> entries) {
    Configuration conf = new Configuration(false);
    entries.forEach(conf::set);
    return conf;
  }

  /** The driver's Hadoop settings, to rebuild the same Configuration on executors. */
  public static Map<String, String> snapshot(Configuration conf) {
    Map<String, String> entries = new java.util.HashMap<>();
    conf.forEach(e -> entries.put(e.getKey(), e.getValue()));
    return entries;
  }
}
