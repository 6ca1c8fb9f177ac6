package org.sparkpeft.data;

import java.util.Map;

import org.sparkpeft.data.manifest.Manifest;

/**
 * What a prepare run produced.
 *
 * @param output the qualified output folder
 * @param manifest its manifest
 * @param seconds wall time of the run
 * @param stageSeconds wall time per stage (read/parse/clean, deduplicate, split/tokenize/bucket, write, commit)
 */
public record PrepareResult(String output, Manifest manifest, double seconds, Map<String, Double> stageSeconds) {

  public double rowsPerSecond() {
    return manifest.counts().inputRows() / Math.max(seconds, 1e-9);
  }

  public double megabytesPerSecond() {
    return manifest.counts().inputBytes() / 1e6 / Math.max(seconds, 1e-9);
  }

  /** A few lines for people: counts, where it went, throughput. */
  public String summary() {
    Manifest.Counts c = manifest.counts();
    StringBuilder s = new StringBuilder();
    s.append(String.format("prepared %s%n", output));
    s.append(String.format("  input rows %d = shard rows %d + duplicates %d + rejected %d%n", c.inputRows(),
        c.shardRows(), c.duplicates(), c.rejected()));
    manifest.splits().forEach((name, split) -> s.append(String.format("  %-5s %7d rows %s%n", name, split.rows(),
        split.labels())));
    if (!c.rejectsByReason().isEmpty()) {
      s.append(String.format("  rejects by reason %s (see %s/rejects)%n", c.rejectsByReason(), output));
    }
    s.append(String.format("  labels %s, truncated at %d tokens: %d rows%n", manifest.labelMap(),
        manifest.tokenizer().maxLength(), c.truncated()));
    s.append(String.format("  %.1f s, %.0f rows/s, %.2f MB/s", seconds, rowsPerSecond(), megabytesPerSecond()));
    stageSeconds.entrySet().stream().sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
        .forEach(e -> s.append(String.format("; %s %.1f s", e.getKey(), e.getValue())));
    s.append(System.lineSeparator());
    return s.toString();
  }
}
