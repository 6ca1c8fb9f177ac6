package org.sparkpeft.job.score;

import java.io.Serializable;

import org.sparkpeft.models.io.AdapterFiles;

/**
 * An adapter's two files as they travel to executors (a few hundred KB, broadcast once per job), with the folder
 * they came from for messages. A plain class with mutable fields: Spark's Kryo cannot build records.
 */
public final class AdapterPayload implements Serializable {

  private byte[] config;
  private byte[] weights;
  private String source;

  /** For serialisation. */
  public AdapterPayload() {
  }

  public AdapterPayload(AdapterFiles.Files files, String source) {
    this.config = files.config();
    this.weights = files.weights();
    this.source = source;
  }

  public String source() {
    return source;
  }

  public AdapterFiles.Files files() {
    return new AdapterFiles.Files(config, weights);
  }

  /** The sha256 of the weights file: the adapter's identity in executor caches. */
  public String weightsSha256() {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(weights));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
