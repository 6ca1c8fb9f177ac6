package org.sparkpeft.data.manifest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.config.SourceSpec;
import org.sparkpeft.data.config.LabelRule;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.data.shard.TokenizeRows;
import org.sparkpeft.data.shard.TokenizerSource;
import org.sparkpeft.data.split.Splitter;

/**
 * Per split, label and bucket counts of the tokenized rows, gathered in one aggregation, and the manifest built
 * from them.
 */
public final class ManifestStats {

  /** One group of the aggregation. */
  record Cell(String split, int label, int bucket, long rows, long truncated, int minLength, int maxLength,
              long lengthSum, long documents) {}

  private final List<Cell> cells;
  private final java.util.SortedMap<Integer, Long> lengthHistogram;
  private final Map<Integer, String> labelNames = new TreeMap<>();

  private ManifestStats(List<Cell> cells, java.util.SortedMap<Integer, Long> lengthHistogram,
                        Map<String, Integer> labelMap) {
    this.cells = cells;
    this.lengthHistogram = lengthHistogram;
    labelMap.forEach((name, index) -> labelNames.put(index, name));
  }

  public static ManifestStats of(Dataset<Row> tokenized, Map<String, Integer> labelMap) {
    // chunked data: a document is its window 0 (a document's windows share its split and label)
    boolean chunked = java.util.Arrays.asList(tokenized.columns()).contains(ShardSchema.CHUNK);
    List<Cell> cells = tokenized
        .groupBy(col(TokenizeRows.SPLIT), col(ShardSchema.LABEL), col(ShardSchema.BUCKET))
        .agg(count(lit(1)), sum(when(col(TokenizeRows.TRUNCATED), 1L).otherwise(0L)), min(ShardSchema.LENGTH),
            max(ShardSchema.LENGTH), sum(col(ShardSchema.LENGTH).cast("long")),
            chunked ? sum(when(col(ShardSchema.CHUNK).equalTo(0), 1L).otherwise(0L)) : count(lit(1)))
        .collectAsList().stream()
        .map(r -> new Cell(r.getString(0), r.getInt(1), r.getInt(2), r.getLong(3), r.getLong(4), r.getInt(5),
            r.getInt(6), r.getLong(7), r.getLong(8)))
        .toList();
    // the exact length histogram (at most max_length groups), for the percentiles training chooses a length from
    java.util.SortedMap<Integer, Long> lengths = new TreeMap<>();
    tokenized.groupBy(col(ShardSchema.LENGTH)).agg(count(lit(1))).collectAsList()
        .forEach(r -> lengths.put(r.getInt(0), r.getLong(1)));
    return new ManifestStats(cells, lengths, labelMap);
  }

  public long splitRows(String split) {
    return cells.stream().filter(c -> c.split().equals(split)).mapToLong(Cell::rows).sum();
  }

  public long totalRows() {
    return cells.stream().mapToLong(Cell::rows).sum();
  }

  /** Documents over all splits (= rows unless chunked). */
  public long totalDocuments() {
    return cells.stream().mapToLong(Cell::documents).sum();
  }

  public long truncated() {
    return cells.stream().mapToLong(Cell::truncated).sum();
  }

  public Manifest manifest(PrepareConfig config, TokenizerSource tokenizer, Map<String, Integer> labelMap,
                           Manifest.Counts counts) {
    SourceSpec source = config.source();
    Map<String, Manifest.SplitInfo> splits = new LinkedHashMap<>();
    for (String split : Splitter.SPLITS) {
      Map<String, Long> labels = new TreeMap<>();
      labelMap.keySet().forEach(name -> labels.put(name, 0L));
      long truncated = 0;
      for (Cell c : cells) {
        if (c.split().equals(split)) {
          labels.merge(labelNames.get(c.label()), c.rows(), Long::sum);
          truncated += c.truncated();
        }
      }
      splits.put(split, new Manifest.SplitInfo(splitRows(split), labels, truncated));
    }
    Map<String, Long> histogram = new LinkedHashMap<>();
    config.tokenize().buckets().forEach(b -> histogram.put(Integer.toString(b), 0L));
    cells.forEach(c -> histogram.merge(Integer.toString(c.bucket()), c.rows(), Long::sum));
    long total = totalRows();
    Manifest.LengthStats lengths = new Manifest.LengthStats(
        cells.stream().mapToInt(Cell::minLength).min().orElse(0),
        cells.stream().mapToInt(Cell::maxLength).max().orElse(0),
        total == 0 ? 0 : cells.stream().mapToLong(Cell::lengthSum).sum() / (double) total,
        Manifest.LengthStats.quantile(lengthHistogram, 0.50), Manifest.LengthStats.quantile(lengthHistogram, 0.90),
        Manifest.LengthStats.quantile(lengthHistogram, 0.95), Manifest.LengthStats.quantile(lengthHistogram, 0.99));
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put(Splitter.TRAIN, config.split().train());
    ratios.put(Splitter.VAL, config.split().val());
    ratios.put(Splitter.TEST, config.split().test());
    Manifest.Chunks chunks = null;
    if (config.tokenize().chunked()) {
      Map<String, Long> documents = new LinkedHashMap<>();
      Map<String, Map<String, Long>> labels = new LinkedHashMap<>();
      for (String split : Splitter.SPLITS) {
        Map<String, Long> byLabel = new TreeMap<>();
        labelMap.keySet().forEach(name -> byLabel.put(name, 0L));
        cells.stream().filter(c -> c.split().equals(split))
            .forEach(c -> byLabel.merge(labelNames.get(c.label()), c.documents(), Long::sum));
        documents.put(split, byLabel.values().stream().mapToLong(Long::longValue).sum());
        labels.put(split, byLabel);
      }
      chunks = new Manifest.Chunks(config.tokenize().chunking().overlap(), config.tokenize().chunking().maxChunks(),
          totalDocuments(), total, truncated(), documents, labels);
    }
    return new Manifest(config.tokenize().chunked() ? ShardSchema.CHUNKED_VERSION : ShardSchema.VERSION,
        new Manifest.SourceInfo(source.format().key(), source.path(), source.format().tabular() ? source.textCol()
            : null, source.format().tabular() ? source.labelCol() : null, source.idCol(), source.fileGlob(),
            source.labelRules().stream().map(LabelRule::toString).toList(),
            config.clean().normalization().name(), config.clean().maxChars(), source.emailHeaders()),
        new Manifest.TokenizerInfo(tokenizer.id(), tokenizer.sha256(), config.tokenize().maxLength(),
            config.tokenize().truncation().configName()),
        config.split().seed(), ratios, labelMap, config.tokenize().buckets(), counts, splits, histogram, lengths,
        chunks);
  }
}
