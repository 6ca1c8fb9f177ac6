package org.sparkpeft.job.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.report.TrainingReport;

/**
 * Everything a run needs to go on after round {@code round} as if it had never stopped: the driver's trainable
 * parameters and updater state, the data position (epoch and round within it; each epoch's minibatches and every
 * task's seed are pure functions of the config's seed, epoch, round and partition, so the position is the whole RNG
 * state), the best-so-far parameters and score, early-stopping state, and what the report has accumulated. Stored as
 * JSON (float vectors as little-endian float32, base64) under a config fingerprint: a checkpoint of another config is
 * refused.
 *
 * @param format checkpoint format version
 * @param fingerprint {@link AdapterTrainer}'s fingerprint of the config, base model and trainable slice
 * @param data the content identity of the prepared data trained on (a resume on other content is refused)
 * @param round rounds done (1-based number of the last one)
 * @param epoch 0-based epoch of the last round
 * @param roundInEpoch 0-based round within that epoch
 * @param roundsInEpoch rounds that epoch has
 * @param seed the run's seed (train.seed)
 * @param params trainable parameters after the round ({@link TrainableSlice} order)
 * @param updater the updater state after the round
 * @param best the best-so-far trainable parameters (by the validation metric), or the initial ones
 * @param bestScore the best validation score so far, null before the first validation
 * @param sinceBest validations since the best one (early stopping)
 * @param stopped whether early stopping ended training at this round
 */
public record Checkpoint(int format, String fingerprint, DataIdentity data, int round, int epoch, int roundInEpoch, int roundsInEpoch,
                         long seed, byte[] params, byte[] updater, byte[] best, Double bestScore, int sinceBest,
                         boolean stopped, long examples, long broadcastBytes, long collectedBytes, double trainSeconds,
                         double wallSeconds, List<TrainingReport.LossPoint> lossCurve,
                         List<TrainingReport.Validation> validations) {

  /** 2: the data's content identity (format 1 keyed the data by its path only). */
  public static final int FORMAT = 2;

  public Checkpoint {
    lossCurve = List.copyOf(lossCurve);
    validations = List.copyOf(validations);
  }

  static byte[] bytes(float[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer.array();
  }

  static float[] floats(byte[] bytes) {
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
