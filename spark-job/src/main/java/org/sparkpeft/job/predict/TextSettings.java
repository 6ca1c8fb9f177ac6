package org.sparkpeft.job.predict;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.Normalization;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.tokenizer.Truncation;

/**
 * How new text becomes token ids, the way the adapter's training data was prepared: the cleaning (Unicode
 * normalisation, character cap) and the tokenizer's max length and truncation. Read from the manifest of the data the
 * adapter was trained on (found through the {@code metrics.json} beside the adapter folder, or its {@code prepared/}
 * sibling), else prepare's defaults; flags override.
 *
 * @param from where the settings came from (for the log)
 * @param chunkOverlap chunked training data ({@code tokenizer.long-text = chunk}): content tokens consecutive windows
 *     share
 * @param maxChunks chunked training data: windows per text at most; 0 = one row per text, truncated
 */
public record TextSettings(int maxLength, Truncation truncation, Normalization normalization, int maxChars,
                           String from, int chunkOverlap, int maxChunks) implements Serializable {

  /** Settings of data prepared with truncation (one row per text). */
  public TextSettings(int maxLength, Truncation truncation, Normalization normalization, int maxChars, String from) {
    this(maxLength, truncation, normalization, maxChars, from, 0, 0);
  }

  /** Whether a long text is scored as the mean of its windows' probabilities. */
  public boolean chunked() {
    return maxChunks > 0;
  }

  /** prepare's defaults (data-prep's prepare-defaults.conf). */
  static final TextSettings DEFAULTS = new TextSettings(256, Truncation.HEAD, Normalization.NFKC, 20_000,
      "prepare's defaults");

  public TextSettings {
    if (maxLength < 2 || maxLength > 512) {
      throw new UserError("--max-length must be between 2 and 512, got " + maxLength + ".");
    }
  }

  /** The settings the adapter at {@code adapter} was trained with, then {@code maxLength}/{@code truncation} if set. */
  public static TextSettings of(Configuration conf, String adapter, Integer maxLength, String truncation) {
    TextSettings found = fromTraining(conf, adapter);
    int length = maxLength != null ? maxLength : found.maxLength();
    return new TextSettings(length, truncation != null ? parseTruncation(truncation) : found.truncation(),
        found.normalization(), found.maxChars(), found.from() + (maxLength != null || truncation != null
            ? ", flags override" : ""), Math.min(found.chunkOverlap(), Math.max(0, length - 3)), found.maxChunks());
  }

  private static Truncation parseTruncation(String value) {
    try {
      return Truncation.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UserError("--truncation must be head, tail or head_tail, got '" + value + "'.");
    }
  }

  private static TextSettings fromTraining(Configuration conf, String adapter) {
    try {
      Path folder = new Path(adapter);
      Path run = folder.getParent();
      if (run == null) {
        return DEFAULTS;
      }
      FileSystem fs = run.getFileSystem(conf);
      ObjectMapper json = new ObjectMapper();
      Path manifest = new Path(run, "prepared/" + ShardSchema.MANIFEST);
      Path metrics = new Path(run, "metrics.json");
      int trainedLength = 0;
      if (fs.exists(metrics)) {
        JsonNode written = read(fs, metrics, json);
        // train.max-length: rows were cut to this many tokens in training (0 or absent: as prepared)
        trainedLength = written.path("chosen").path("train.max-length").path("value").asInt(0);
        String data = written.path("config").path("data").asText("");
        if (!data.isEmpty() && fs.exists(new Path(data, ShardSchema.MANIFEST))) {
          manifest = new Path(data, ShardSchema.MANIFEST);
        }
      }
      if (!fs.exists(manifest)) {
        return DEFAULTS;
      }
      JsonNode m = read(fs, manifest, json);
      int prepared = m.path("tokenizer").path("max_length").asInt(DEFAULTS.maxLength());
      // chunked data (manifest "chunks"): texts are read as the same windows, scored as their mean
      JsonNode chunks = m.path("chunks");
      return new TextSettings(trainedLength >= 2 ? Math.min(trainedLength, prepared) : prepared,
          Truncation.parse(m.path("tokenizer").path("truncation").asText("head")),
          Normalization.parse(m.path("source").path("normalization").asText("NFKC").toUpperCase(Locale.ROOT)),
          m.path("source").path("max_chars").asInt(DEFAULTS.maxChars()), manifest.toString(),
          chunks.path("overlap").asInt(0), chunks.path("max_chunks").asInt(0));
    } catch (IOException | IllegalArgumentException | UserError e) {
      return DEFAULTS; // not a folder a train run wrote, or an older one: prepare's defaults, as the log says
    }
  }

  private static JsonNode read(FileSystem fs, Path file, ObjectMapper json) throws IOException {
    try (InputStream in = fs.open(file)) {
      return json.readTree(in);
    }
  }
}
