package org.sparkpeft.job.train.cache;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.spark.util.LongAccumulator;
import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.models.train.TrunkSplit;

/**
 * What a worker needs to use the frozen-trunk feature cache: the cache key (what the stored features depend on), the
 * run they belong to (a run's stores are removed when it ends), the per-executor cap, and the run's counters.
 *
 * @param key {@link #key}: base fingerprint + prepared data content + trunk (layers and their configuration)
 * @param runId unique per training run
 * @param maxMegabytes the most one executor stores for this run
 * @param hits examples whose features came from the cache
 * @param misses examples whose trunk ran (first epoch, another executor, or over the cap)
 * @param refused examples not stored because the store was at its cap
 */
public record FeatureCacheSpec(String key, String runId, long maxMegabytes, LongAccumulator hits,
                               LongAccumulator misses, LongAccumulator refused) implements Serializable {

  public FeatureCacheSpec {
    if (key == null || key.length() < 16 || runId == null || runId.isEmpty() || maxMegabytes < 0) {
      throw new IllegalArgumentException("a feature cache needs a key, a run id and a cap >= 0");
    }
  }

  /** The name of this run's store on every executor. */
  public String storeId() {
    return key.substring(0, 16) + "-" + runId;
  }

  /**
   * The cache key: SHA-256 of the base model's fingerprint, the prepared data's content digest and row count, and the
   * trunk (how many layers, and their configuration). Within a key, an example's entry is found by its exact token
   * ids, which fix its sequence length.
   */
  public static String key(String baseFingerprint, DataIdentity data, TrunkSplit split) {
    String text = String.join("\n", "sparkpeft-feature-cache-v1", baseFingerprint, data.sha256(),
        Long.toString(data.rows()), Integer.toString(split.trunkLayers()), split.trunkDigest());
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
