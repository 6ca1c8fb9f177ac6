package org.sparkpeft.job.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 */
public final class ExecutorModels {

  private static final Map<OnDevice, BaseModel> MODELS = new ConcurrentHashMap<>();
  private static final Map<OnDevice, ConcurrentLinkedQueue<Object>> POOLS = new ConcurrentHashMap<>();

  /** A cache key on one device ({@link TaskDevice} keys: "cpu", "gpu:N"). */
  record OnDevice(Object key, String device) {}

  private ExecutorModels() {}

  /** The model at {@code location}, imported at most once per JVM, verified against {@code fingerprint}. */
  public static BaseModel model(ModelLocation location, Map<String, String> hadoopConf, String fingerprint) {
    OnDevice key = new OnDevice(location, TaskDevice.bind());
    BaseModel model = MODELS.computeIfAbsent(key, k -> location.load(configuration(hadoopConf)));
    if (fingerprint != null && !fingerprint.equals(model.fingerprint())) {
      MODELS.remove(key);
      throw new IllegalStateException("base model " + location + " changed while the job ran: fingerprint "
          + model.fingerprint() + " on this executor, " + fingerprint + " on the driver");
    }
    return model;
  }

  /** Borrows a pooled object for {@code key}, creating one when none is free. */
  @SuppressWarnings("unchecked")
  public static <T> T borrow(Object key, Function<Object, T> create) {
    Object pooled = POOLS.computeIfAbsent(new OnDevice(key, TaskDevice.bind()), k -> new ConcurrentLinkedQueue<>()).poll();
    return pooled != null ? (T) pooled : create.apply(key);
  }

  /** Gives a borrowed object back, from the task that borrowed it. */
  public static void giveBack(Object key, Object value) {
    POOLS.computeIfAbsent(new OnDevice(key, TaskDevice.current()), k -> new ConcurrentLinkedQueue<>()).add(value);
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
