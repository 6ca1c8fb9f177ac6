package org.sparkpeft.job.score;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Function;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.lora.LoraMerge;

/**
 * The executor side of scoring with a written adapter: the base is imported once per executor JVM
 * ({@link ExecutorModels}, checked against the driver's fingerprint), the adapter's files (broadcast) are applied
 * to it with {@link AdapterFiles#load} — the same checks as any other load — and the resulting model is pooled per
 * executor, so what is scored is exactly what was written. Serializable: tasks carry it.
 */
public final class AdapterScorer implements Serializable {

  private final Broadcast<AdapterPayload> payload;
  private final ModelLocation base;
  private final Map<String, String> hadoopConf;
  private final String fingerprint;
  private final boolean merged;
  private final String poolKey;

  private AdapterScorer(Broadcast<AdapterPayload> payload, ModelLocation base, Map<String, String> hadoopConf,
                        String fingerprint, boolean merged, String poolKey) {
    this.payload = payload;
    this.base = base;
    this.hadoopConf = hadoopConf;
    this.fingerprint = fingerprint;
    this.merged = merged;
    this.poolKey = poolKey;
  }

  /**
   * Broadcasts {@code payload} for one job; {@code fingerprint} is the driver's base fingerprint, {@code hadoopConf}
   * the driver's Hadoop settings ({@link ExecutorModels#snapshot}). {@link #destroy} when the job is done.
   */
  public static AdapterScorer broadcast(JavaSparkContext jsc, AdapterPayload payload, ModelLocation base,
                                        Map<String, String> hadoopConf, String fingerprint) {
    return broadcast(jsc, payload, base, hadoopConf, fingerprint, false);
  }

  /** As above; {@code merged}: LoRA merged into the base weights ({@link LoraMerge}), the serving form. */
  public static AdapterScorer broadcast(JavaSparkContext jsc, AdapterPayload payload, ModelLocation base,
                                        Map<String, String> hadoopConf, String fingerprint, boolean merged) {
    return new AdapterScorer(jsc.broadcast(payload), base, hadoopConf, fingerprint, merged,
        "adapter-scorer:" + fingerprint + ":" + payload.weightsSha256() + (merged ? ":merged" : ""));
  }

  /** On an executor: runs {@code use} with this JVM's model for the adapter (borrowed from the pool, then returned). */
  public <T> T withModel(Function<PeftModel, T> use) {
    PeftModel model = borrow();
    try {
      return use.apply(model);
    } finally {
      giveBack(model);
    }
  }

  /** On an executor: this JVM's model for the adapter, for one thread until {@link #giveBack}. */
  public PeftModel borrow() {
    AdapterPayload p = payload.value();
    return ExecutorModels.borrow(poolKey, k -> {
      PeftModel built = AdapterFiles.load(ExecutorModels.model(base, hadoopConf, fingerprint), p.files(), p.source())
          .model();
      if (merged) {
        LoraMerge.merge(built.graph());
      }
      return built;
    });
  }

  /** Returns a {@link #borrow borrowed} model to the pool. */
  public void giveBack(PeftModel model) {
    ExecutorModels.giveBack(poolKey, model);
  }

  /** Removes the broadcast from the executors. */
  public void destroy() {
    payload.destroy();
  }
}
