package org.sparkpeft.job.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

import org.apache.spark.sql.Row;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.tokenizer.Truncation;

/**
 * Turns shard rows (the data-prep contract, {@link ShardSchema}) into DL4J minibatches on the executor that reads
 * them: rows are grouped by length bucket so a batch pads only to its longest row ({@link Minibatch#toMultiDataSet}
 * adds the attention mask and one-hot labels). Full batches stream out as soon as a bucket fills; the
 * partly filled buckets follow at the end of the input, shortest bucket first.
 */
public final class ShardBatches implements Iterator<Minibatch> {

  private final Iterator<Row> rows;
  private final int batchSize;
  private final int classes;
  private final int maxLength;
  private final Truncation truncation;
  private final Map<Integer, List<Row>> buckets = new TreeMap<>();
  private final Deque<List<Row>> ready = new ArrayDeque<>();
  private int idsIndex = -1;
  private int labelIndex = -1;
  private int bucketIndex = -1;
  private int documentIndex = -1;

  public ShardBatches(Iterator<Row> rows, int batchSize, int classes) {
    this(rows, batchSize, classes, 0);
  }

  /** Rows cut to {@code maxLength} tokens keeping their head ({@link Truncation#HEAD}); 0 = every token. */
  public ShardBatches(Iterator<Row> rows, int batchSize, int classes, int maxLength) {
    this(rows, batchSize, classes, maxLength, Truncation.HEAD);
  }

  /**
   * @param maxLength tokens kept per row: a longer row keeps its first token ([CLS]), its last ([SEP]) and
   *     {@code maxLength - 2} content tokens chosen by {@code truncation}; 0 = every token
   * @param truncation the strategy the data was prepared with (the manifest's {@code tokenizer.truncation}), so that
   *     a row cut here holds what tokenizing its text at {@code maxLength} would, as prediction does
   */
  public ShardBatches(Iterator<Row> rows, int batchSize, int classes, int maxLength, Truncation truncation) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    }
    this.rows = rows;
    this.batchSize = batchSize;
    this.classes = classes;
    this.maxLength = maxLength;
    this.truncation = truncation;
  }

  /**
   * {@code ids} ([CLS] content [SEP]) cut to {@code maxLength} tokens: [CLS], the content positions
   * {@code truncation} keeps ({@link Truncation#split}) and [SEP].
   */
  static int[] cut(int[] ids, int maxLength, Truncation truncation) {
    if (maxLength <= 0 || ids.length <= maxLength) {
      return ids;
    }
    int[] keep = truncation.split(ids.length - 2, maxLength - 2);
    int[] out = new int[maxLength];
    System.arraycopy(ids, 0, out, 0, 1 + keep[0]);
    System.arraycopy(ids, ids.length - 1 - keep[1], out, 1 + keep[0], keep[1] + 1);
    return out;
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && rows.hasNext()) {
      Row row = rows.next();
      if (idsIndex < 0) {
        idsIndex = row.fieldIndex(ShardSchema.INPUT_IDS);
        labelIndex = row.fieldIndex(ShardSchema.LABEL);
        bucketIndex = row.fieldIndex(ShardSchema.BUCKET);
        documentIndex = java.util.Arrays.asList(row.schema().fieldNames()).indexOf(ShardSchema.DOC_ID);
      }
      List<Row> bucket = buckets.computeIfAbsent(row.getInt(bucketIndex), b -> new ArrayList<>(batchSize));
      bucket.add(row);
      if (bucket.size() == batchSize) {
        ready.add(new ArrayList<>(bucket));
        bucket.clear();
      }
    }
    if (ready.isEmpty() && !rows.hasNext()) {
      for (List<Row> rest : buckets.values()) {
        if (!rest.isEmpty()) {
          ready.add(new ArrayList<>(rest));
          rest.clear();
        }
      }
    }
    return !ready.isEmpty();
  }

  @Override
  public Minibatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return toBatch(ready.poll());
  }

  private Minibatch toBatch(List<Row> batch) {
    int[][] ids = new int[batch.size()][];
    int[] labels = new int[batch.size()];
    String[] documents = documentIndex < 0 ? null : new String[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      if (documents != null) {
        documents[i] = row.getString(documentIndex);
      }
      List<Integer> tokens = row.getList(idsIndex);
      ids[i] = cut(tokens.stream().mapToInt(Integer::intValue).toArray(), maxLength, truncation);
      int label = row.getInt(labelIndex);
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("shard row " + row.getString(row.fieldIndex(ShardSchema.ROW_ID))
            + " has label " + label + " outside the label map's " + classes + " classes");
      }
      labels[i] = label;
    }
    return new Minibatch(ids, labels, documents);
  }
}
