package org.sparkpeft.job.train.defaults;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.sparkpeft.data.manifest.Manifest;

/**
 * What the defaults chooser knows of the prepared data, from its manifest.
 *
 * @param trainRows rows of the train split
 * @param trainLabelCounts rows of the train split per label id (the label map's order)
 * @param lengthP90 the token length that 90 % of the rows do not exceed
 * @param p90Exact whether {@code lengthP90} is exact (manifest percentiles) or a bucket's upper bound (older manifests)
 * @param preparedMaxLength the prepare job's max_length (no row is longer)
 * @param buckets rows per length bucket (upper bound in tokens to rows), over all splits
 * @param trainDocuments documents of the train split: chunked data ({@code tokenizer.long-text = chunk}) has
 *     several rows (windows) per document; otherwise {@code trainRows}. The compute budget counts documents
 *     ({@link DocumentBudget}); the steps count rows (each window is a training row and costs as one); the label
 *     counts are windows per label (the loss is per window).
 * @param chunked whether the rows are windows of documents
 */
public record DataFacts(long trainRows, long[] trainLabelCounts, int lengthP90, boolean p90Exact,
                        int preparedMaxLength, SortedMap<Integer, Long> buckets, long trainDocuments,
                        boolean chunked) {

  public DataFacts(long trainRows, long[] trainLabelCounts, int lengthP90, boolean p90Exact, int preparedMaxLength,
                   SortedMap<Integer, Long> buckets) {
    this(trainRows, trainLabelCounts, lengthP90, p90Exact, preparedMaxLength, buckets, trainRows, false);
  }

  public DataFacts {
    if (trainRows < 1) {
      throw new IllegalArgumentException("the train split has no rows");
    }
    if (trainLabelCounts.length < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes");
    }
    trainLabelCounts = trainLabelCounts.clone();
    buckets = new TreeMap<>(buckets);
  }

  /** The facts of {@code manifest}; {@code labels} are the label names by id (label_map.json). */
  public static DataFacts of(Manifest manifest, List<String> labels) {
    Manifest.SplitInfo train = manifest.splits() == null ? null : manifest.splits().get("train");
    if (train == null) {
      throw new IllegalArgumentException("the manifest has no train split");
    }
    long[] counts = new long[labels.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = train.labels() == null ? 0 : train.labels().getOrDefault(labels.get(i), 0L);
    }
    SortedMap<Integer, Long> buckets = new TreeMap<>();
    if (manifest.lengthHistogram() != null) {
      manifest.lengthHistogram().forEach((bound, rows) -> buckets.put(Integer.parseInt(bound), rows));
    }
    int maxLength = manifest.tokenizer() == null ? 0 : manifest.tokenizer().maxLength();
    Manifest.LengthStats lengths = manifest.lengths();
    boolean exact = lengths != null && lengths.p90() != null;
    int p90 = exact ? lengths.p90() : Manifest.LengthStats.quantile(buckets, 0.90);
    if (maxLength <= 0) {
      maxLength = lengths != null && lengths.max() > 0 ? lengths.max() : buckets.isEmpty() ? 512 : buckets.lastKey();
    }
    long documents = manifest.chunked() && manifest.chunks().documentsBySplit() != null
        ? manifest.chunks().documentsBySplit().getOrDefault("train", train.rows()) : train.rows();
    return new DataFacts(train.rows(), counts, Math.max(2, Math.min(p90, maxLength)), exact, maxLength, buckets,
        documents, manifest.chunked());
  }

  public int classes() {
    return trainLabelCounts.length;
  }

  /**
   * The mean tokens a training row costs when rows are cut to {@code maxLength}: each bucket's rows at the bucket's
   * upper bound (a minibatch pads to its longest row, and rows are batched by bucket), at most {@code maxLength}.
   */
  public double meanCostLength(int maxLength) {
    long rows = 0;
    double tokens = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      rows += e.getValue();
      tokens += e.getValue() * (double) Math.min(e.getKey(), maxLength);
    }
    return rows == 0 ? Math.min(lengthP90, maxLength) : tokens / rows;
  }

  /** The length bounds a training length is chosen from: the buckets up to the prepared length, and that length. */
  public List<Integer> lengthCandidates() {
    TreeMap<Integer, Boolean> bounds = new TreeMap<>();
    buckets.keySet().stream().filter(b -> b <= preparedMaxLength).forEach(b -> bounds.put(b, true));
    bounds.put(preparedMaxLength, true);
    return List.copyOf(bounds.keySet());
  }
}
