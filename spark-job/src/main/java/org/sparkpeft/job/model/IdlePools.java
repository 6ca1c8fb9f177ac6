package org.sparkpeft.job.model;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Idle objects by key (models between the tasks that borrow them), kept only while they may be used again: a key
 * unused for longer than {@code maxIdleNanos} loses its objects, and beyond {@code maxKeys} keys the least recently
 * used one does. Keys come from jobs (a training run's spec, an adapter to score with), and a long-lived executor
 * or a notebook's driver sees ever-new ones; kept for ever, their models (hundreds of MB each, mostly off-heap) grew
 * spark-job's test JVM by gigabytes. Thread-safe.
 */
final class IdlePools {

  private final int maxKeys;
  private final long maxIdleNanos;
  private final LongSupplier clock;
  /** In access order: the least recently used key first. */
  private final LinkedHashMap<Object, Pool> pools = new LinkedHashMap<>(16, 0.75f, true);

  private static final class Pool {
    final ArrayDeque<Object> idle = new ArrayDeque<>();
    long lastUsed;
  }

  IdlePools(int maxKeys, long maxIdleNanos, LongSupplier clock) {
    if (maxKeys < 1 || maxIdleNanos < 0) {
      throw new IllegalArgumentException("maxKeys >= 1 and maxIdleNanos >= 0, got " + maxKeys + ", " + maxIdleNanos);
    }
    this.maxKeys = maxKeys;
    this.maxIdleNanos = maxIdleNanos;
    this.clock = clock;
  }

  /** An idle object for {@code key}, or null when there is none. */
  synchronized Object poll(Object key) {
    long now = clock.getAsLong();
    Pool pool = pools.get(key);
    Object idle = null;
    if (pool != null) {
      pool.lastUsed = now;
      idle = pool.idle.poll();
    }
    evict(now);
    return idle;
  }

  /** Keeps {@code value} for the next {@link #poll} of {@code key}. */
  synchronized void add(Object key, Object value) {
    long now = clock.getAsLong();
    Pool pool = pools.computeIfAbsent(key, k -> new Pool());
    pool.idle.add(value);
    pool.lastUsed = now;
    evict(now);
  }

  /** How many objects are kept, over all keys. */
  synchronized int idleObjects() {
    return pools.values().stream().mapToInt(p -> p.idle.size()).sum();
  }

  private void evict(long now) {
    Iterator<Map.Entry<Object, Pool>> it = pools.entrySet().iterator();
    while (it.hasNext()) {
      Pool pool = it.next().getValue();
      if (pools.size() > maxKeys || now - pool.lastUsed > maxIdleNanos) {
        it.remove();
      }
    }
  }
}
