package org.sparkpeft.job.predict;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sparkpeft.job.batch.Chunks;

/**
 * Scores one partition of (key, text) rows with every adapter ({@link TextScorer}) and emits predict's rows: the key,
 * per adapter its id, label and the label's probability, and the reason when a row has no text.
 */
final class PredictPartition implements FlatMapFunction<Iterator<Row>, Row> {

  private static final int CHUNK = 512;

  private final TextScorer scorer;
  private final List<String> adapterIds;
  private final List<List<String>> labels;

  PredictPartition(TextScorer scorer, List<String> adapterIds, List<List<String>> labels) {
    this.scorer = scorer;
    this.adapterIds = adapterIds;
    this.labels = labels;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return Chunks.map(rows, CHUNK, this::scoreChunk);
  }

  private List<Row> scoreChunk(List<Row> in) {
    List<String> texts = new ArrayList<>(in.size());
    for (Row row : in) {
      texts.add(row.isNullAt(1) ? null : row.get(1).toString());
    }
    List<TextScorer.Scored> scored = scorer.score(texts);
    List<Row> out = new ArrayList<>(in.size());
    for (int i = 0; i < in.size(); i++) {
      TextScorer.Scored s = scored.get(i);
      Row[] predictions = null;
      if (s.reason() == null) {
        predictions = new Row[adapterIds.size()];
        for (int a = 0; a < predictions.length; a++) {
          int best = argMax(s.probabilities()[a]);
          predictions[a] = RowFactory.create(adapterIds.get(a), labels.get(a).get(best), s.probabilities()[a][best]);
        }
      }
      out.add(RowFactory.create(in.get(i).get(0), predictions, s.reason()));
    }
    return out;
  }

  static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
