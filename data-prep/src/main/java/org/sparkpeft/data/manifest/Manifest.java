package org.sparkpeft.data.manifest;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code manifest.json}: what a prepared dataset holds and how it was made (schema version 1, see
 * docs/data-prep.md). Written in snake_case by {@link ManifestJson}. Counts add up:
 * {@code input_records = input_rows = shard_rows + duplicates + rejected}. Chunked data (schema version 2) counts
 * documents in {@code counts} (shard_rows = documents written) and windows in {@code splits} (the Parquet rows) and
 * {@code chunks}; {@code chunks} is absent for truncated data.
 */
public record Manifest(
    int schemaVersion,
    SourceInfo source,
    TokenizerInfo tokenizer,
    long seed,
    Map<String, Double> ratios,
    Map<String, Integer> labelMap,
    List<Integer> buckets,
    Counts counts,
    Map<String, SplitInfo> splits,
    Map<String, Long> lengthHistogram,
    LengthStats lengths,
    @JsonInclude(JsonInclude.Include.NON_NULL) Chunks chunks) {

  /** A manifest of data with one row per document (no {@code chunks}). */
  public Manifest(int schemaVersion, SourceInfo source, TokenizerInfo tokenizer, long seed, Map<String, Double> ratios,
                  Map<String, Integer> labelMap, List<Integer> buckets, Counts counts, Map<String, SplitInfo> splits,
                  Map<String, Long> lengthHistogram, LengthStats lengths) {
    this(schemaVersion, source, tokenizer, seed, ratios, labelMap, buckets, counts, splits, lengthHistogram, lengths,
        null);
  }

  /** Whether the rows are windows of documents ({@code tokenizer.long-text = chunk}). */
  public boolean chunked() {
    return chunks != null;
  }

  /**
   * Chunked data ({@code tokenizer.long-text = chunk}).
   *
   * @param overlap content tokens consecutive windows share
   * @param maxChunks windows per document at most
   * @param documents documents written (= counts.shard_rows)
   * @param chunks windows written (the Parquet rows of all splits)
   * @param capped documents that needed more than max chunks windows (sampled by max chunks spread windows)
   * @param documentsBySplit documents per split (train, val, test)
   * @param labelsBySplit documents per split and label name
   */
  public record Chunks(int overlap, int maxChunks, long documents, long chunks, long capped,
                       Map<String, Long> documentsBySplit, Map<String, Map<String, Long>> labelsBySplit) {}

  /** Where the rows came from ({@code emailHeaders}: the headers shown before an email's Subject and body). */
  public record SourceInfo(String format, String path, String textCol, String labelCol, String idCol,
                           String fileGlob, List<String> labelRules, String normalization, int maxChars,
                           List<String> emailHeaders) {}

  /** The tokenizer the ids belong to. */
  public record TokenizerInfo(String id, String sha256, int maxLength, String truncation) {}

  /**
   * Row accounting.
   *
   * @param inputRecords records in the input counted independently of the reader (CSV: a quote-aware count of
   *     every file, headers excluded); for formats whose reader cannot merge or drop records (one JSONL line, one
   *     Parquet row, one file) the rows read
   * @param inputRows rows read from the input
   * @param shardRows rows written to the split folders
   * @param duplicates accepted rows dropped because an earlier row (smallest row_id) had the same cleaned text
   *     (for emails: the same Subject and body, whatever headers are shown)
   * @param rejected rows written to rejects/
   * @param rejectsByReason rejected rows per reason code
   * @param truncated shard rows whose text had more tokens than max_length
   * @param inputBytes bytes of input (files, or text + label values)
   * @param balanced whether input_records = input_rows = shard_rows + duplicates + rejected (always true in a
   *     written manifest)
   */
  public record Counts(long inputRecords, long inputRows, long shardRows, long duplicates, long rejected,
                       Map<String, Long> rejectsByReason, long truncated, long inputBytes, boolean balanced) {}

  /** One split: rows, rows per label name, truncated rows. */
  public record SplitInfo(long rows, Map<String, Long> labels, long truncated) {}

  /**
   * Token lengths over all shard rows (after truncation to max_length). The percentiles (the smallest length
   * that at least 50, 90, 95, 99 % of rows do not exceed) are null in manifests written before they existed.
   */
  public record LengthStats(int min, int max, double mean, Integer p50, Integer p90, Integer p95, Integer p99) {

    public LengthStats(int min, int max, double mean) {
      this(min, max, mean, null, null, null, null);
    }

    /** The {@code q}-quantile (0 < q <= 1) of an exact length histogram (length to rows). */
    public static int quantile(java.util.SortedMap<Integer, Long> histogram, double q) {
      long total = histogram.values().stream().mapToLong(Long::longValue).sum();
      long seen = 0;
      for (Map.Entry<Integer, Long> e : histogram.entrySet()) {
        seen += e.getValue();
        if (seen >= Math.ceil(q * total)) {
          return e.getKey();
        }
      }
      return histogram.isEmpty() ? 0 : histogram.lastKey();
    }
  }
}
