package org.sparkpeft.data.split;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

import org.sparkpeft.data.config.SplitSpec;

/**
 * Train/val/test assignment as a pure function of (seed, label, content hash): a row's split never depends on
 * other rows, so re-running gives the identical split and appending rows never moves existing ones. Hashing
 * within each label stratifies: every label is spread over the splits in the configured ratios (up to binomial
 * noise, which the manifest's per-split label counts show).
 */
public final class Splitter {

  public static final String TRAIN = "train";
  public static final String VAL = "val";
  public static final String TEST = "test";
  public static final List<String> SPLITS = List.of(TRAIN, VAL, TEST);

  private Splitter() {}

  public static String assign(SplitSpec spec, String label, String contentHash) {
    double u = uniform(spec.seed(), label, contentHash);
    if (u < spec.train()) {
      return TRAIN;
    }
    return u < spec.train() + spec.val() ? VAL : TEST;
  }

  /** A number in [0, 1) from the first 53 bits of SHA-256(seed, label, hash). */
  static double uniform(long seed, String label, String contentHash) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
      digest.update(label.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(contentHash.getBytes(StandardCharsets.UTF_8));
      long bits = ByteBuffer.wrap(digest.digest()).getLong();
      return (bits >>> 11) * 0x1.0p-53;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
