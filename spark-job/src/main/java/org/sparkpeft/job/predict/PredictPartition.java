package org.sparkpeft.job.predict;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.data.clean.TextCleaner;
import org.sparkpeft.data.shard.TokenizerCache;
import org.sparkpeft.job.score.AdapterScorer;
import org.sparkpeft.models.inference.PaddedBatch;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * Scores one partition of (key, text) rows with every adapter, on the executor: texts are cleaned and tokenized as the
 * adapters' training data was ({@link TextSettings}), sorted by length into minibatches (a batch pads only to its
 * longest text), and each adapter's pooled model (base imported once per executor JVM) scores them. Rows without
 * text are kept, with no predictions and a reason.
 */
final class PredictPartition implements FlatMapFunction<Iterator<Row>, Row> {

  static final String MISSING = "missing_text";
  static final String EMPTY = "empty_after_cleaning";
  private static final int CHUNK = 512;

  private final List<AdapterScorer> scorers;
  private final List<String> adapterIds;
  private final List<List<String>> labels;
  private final TextSettings text;
  private final String tokenizerId;
  private final String tokenizerSha256;
  private final Broadcast<byte[]> tokenizerJson;
  private final int batchSize;

  PredictPartition(List<AdapterScorer> scorers, List<String> adapterIds, List<List<String>> labels, TextSettings text,
                   String tokenizerId, String tokenizerSha256, Broadcast<byte[]> tokenizerJson, int batchSize) {
    this.scorers = scorers;
    this.adapterIds = adapterIds;
    this.labels = labels;
    this.text = text;
    this.tokenizerId = tokenizerId;
    this.tokenizerSha256 = tokenizerSha256;
    this.tokenizerJson = tokenizerJson;
    this.batchSize = batchSize;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TextTokenizer tokenizer = TokenizerCache.get(tokenizerId, tokenizerSha256, text.maxLength(), text.truncation(),
        tokenizerJson::value);
    return new Iterator<>() {
      private Iterator<Row> chunk = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!chunk.hasNext() && rows.hasNext()) {
          chunk = scoreChunk(rows, tokenizer).iterator();
        }
        return chunk.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return chunk.next();
      }
    };
  }

  private List<Row> scoreChunk(Iterator<Row> rows, TextTokenizer tokenizer) {
    List<Row> in = new ArrayList<>(CHUNK);
    while (rows.hasNext() && in.size() < CHUNK) {
      in.add(rows.next());
    }
    String[] reasons = new String[in.size()];
    int[][] ids = new int[in.size()][];
    List<Integer> scored = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      Row row = in.get(i);
      String raw = row.isNullAt(1) ? null : row.get(1).toString();
      String cleaned = raw == null ? null : TextCleaner.clean(raw, text.normalization(), text.maxChars());
      if (cleaned == null) {
        reasons[i] = MISSING;
      } else if (cleaned.isEmpty()) {
        reasons[i] = EMPTY;
      } else {
        ids[i] = tokenizer.encode(cleaned).ids();
        scored.add(i);
      }
    }
    scored.sort(Comparator.comparingInt(i -> ids[i].length));
    Row[][] predictions = new Row[in.size()][scorers.size()];
    for (int a = 0; a < scorers.size(); a++) {
      int adapter = a;
      scorers.get(a).withModel(model -> {
        score(model.graph(), scored, ids, predictions, adapter);
        return null;
      });
    }
    List<Row> out = new ArrayList<>(in.size());
    for (int i = 0; i < in.size(); i++) {
      out.add(RowFactory.create(in.get(i).get(0), reasons[i] == null ? predictions[i] : null, reasons[i]));
    }
    return out;
  }

  private void score(ComputationGraph graph, List<Integer> order, int[][] ids, Row[][] predictions, int adapter) {
    List<String> names = labels.get(adapter);
    for (int start = 0; start < order.size(); start += batchSize) {
      List<Integer> batch = order.subList(start, Math.min(order.size(), start + batchSize));
      List<int[]> rows = new ArrayList<>(batch.size());
      for (int i : batch) {
        rows.add(ids[i]);
      }
      PaddedBatch padded = PaddedBatch.of(rows);
      INDArray probs = graph.output(false, new INDArray[] {padded.ids()}, new INDArray[] {padded.mask()})[0];
      for (int r = 0; r < batch.size(); r++) {
        INDArray row = probs.getRow(r);
        int best = row.argMax().getInt(0);
        predictions[batch.get(r)][adapter] = RowFactory.create(adapterIds.get(adapter), names.get(best),
            row.getDouble(best));
      }
    }
  }
}
