package org.sparkpeft.job.predict;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.data.clean.TextCleaner;
import org.sparkpeft.data.shard.TokenizerCache;
import org.sparkpeft.job.score.AdapterScorer;
import org.sparkpeft.models.bert.layers.ReusedActivations;
import org.sparkpeft.models.inference.PaddedBatch;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * The executor side of scoring texts with one or several adapters: texts are cleaned and tokenized once, as the
 * adapters' training data was ({@link TextSettings}), sorted by length into minibatches (a batch pads only to its
 * longest text), and each adapter's pooled model (base imported once per executor JVM) gives class probabilities.
 * Used by {@code predict} and by the Spark ML model's {@code transform}. Serializable: tasks carry it.
 */
public final class TextScorer implements Serializable {

  /** Why a text has no scores. */
  public static final String MISSING = "missing_text";
  public static final String EMPTY = "empty_after_cleaning";

  /** One text's result: per adapter, its class probabilities; or, when it has none, why. */
  public record Scored(double[][] probabilities, String reason) {}

  private final List<AdapterScorer> scorers;
  private final TextSettings text;
  private final String tokenizerId;
  private final String tokenizerSha256;
  private final Broadcast<byte[]> tokenizerJson;
  private final int batchSize;

  public TextScorer(List<AdapterScorer> scorers, TextSettings text, String tokenizerId, String tokenizerSha256,
                    Broadcast<byte[]> tokenizerJson, int batchSize) {
    this.scorers = List.copyOf(scorers);
    this.text = text;
    this.tokenizerId = tokenizerId;
    this.tokenizerSha256 = tokenizerSha256;
    this.tokenizerJson = tokenizerJson;
    this.batchSize = batchSize;
  }

  public int adapters() {
    return scorers.size();
  }

  /**
   * Scores {@code texts} (null entries allowed) with every adapter, in order. Settings of chunked training data
   * ({@link TextSettings#chunked}): a text is its windows, and its probabilities are the mean of theirs.
   */
  public List<Scored> score(List<String> texts) {
    TextTokenizer tokenizer = TokenizerCache.get(tokenizerId, tokenizerSha256, text.maxLength(), text.truncation(),
        tokenizerJson::value);
    String[] reasons = new String[texts.size()];
    // the rows the model scores: one per text, or one per window; owner = the text a row belongs to
    List<int[]> rows = new ArrayList<>();
    List<Integer> owner = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String raw = texts.get(i);
      String cleaned = raw == null ? null : TextCleaner.clean(raw, text.normalization(), text.maxChars());
      if (cleaned == null) {
        reasons[i] = MISSING;
      } else if (cleaned.isEmpty()) {
        reasons[i] = EMPTY;
      } else if (text.chunked()) {
        for (int[] window : tokenizer.windows(cleaned, text.chunkOverlap(), text.maxChunks()).chunks()) {
          rows.add(window);
          owner.add(i);
        }
      } else {
        rows.add(tokenizer.encode(cleaned).ids());
        owner.add(i);
      }
    }
    int[][] ids = rows.toArray(new int[0][]);
    List<Integer> scored = new ArrayList<>(ids.length);
    for (int r = 0; r < ids.length; r++) {
      scored.add(r);
    }
    scored.sort(Comparator.comparingInt(r -> ids[r].length));
    double[][][] byRow = new double[ids.length][scorers.size()][];
    if (scorers.size() == 1) {
      scorers.get(0).withModel(model -> {
        run(model.graph(), scored, ids, byRow, 0);
        return null;
      });
    } else {
      runAll(scored, ids, byRow);
    }
    double[][][] probabilities = meanByOwner(byRow, owner, texts.size(), scorers.size());
    List<Scored> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      out.add(new Scored(reasons[i] == null ? probabilities[i] : null, reasons[i]));
    }
    return out;
  }

  /** Per text and adapter, the mean of its rows' probabilities (its only row's, when not chunked). */
  static double[][][] meanByOwner(double[][][] byRow, List<Integer> owner, int texts, int adapters) {
    double[][][] out = new double[texts][][];
    int[] rows = new int[texts];
    for (int r = 0; r < byRow.length; r++) {
      int t = owner.get(r);
      if (out[t] == null) {
        out[t] = new double[adapters][];
      }
      rows[t]++;
      for (int a = 0; a < adapters; a++) {
        double[] p = byRow[r][a];
        if (out[t][a] == null) {
          out[t][a] = new double[p.length];
        }
        for (int c = 0; c < p.length; c++) {
          out[t][a][c] += p[c];
        }
      }
    }
    for (int t = 0; t < texts; t++) {
      if (out[t] != null) {
        for (double[] p : out[t]) {
          for (int c = 0; c < p.length; c++) {
            p[c] /= rows[t];
          }
        }
      }
    }
    return out;
  }

  /** Several adapters: the frozen layers below the lowest adapted one run once per batch ({@link SharedTrunk}). */
  private void runAll(List<Integer> order, int[][] ids, double[][][] out) {
    List<PeftModel> models = new ArrayList<>(scorers.size());
    try {
      for (AdapterScorer scorer : scorers) {
        models.add(scorer.borrow());
      }
      SharedTrunk trunk = SharedTrunk.of(models);
      if (trunk == null) {
        for (int a = 0; a < models.size(); a++) {
          run(models.get(a).graph(), order, ids, out, a);
        }
        return;
      }
      for (int start = 0; start < order.size(); start += batchSize) {
        List<Integer> batch = order.subList(start, Math.min(order.size(), start + batchSize));
        PaddedBatch padded = padded(batch, ids);
        List<INDArray> probs = trunk.output(padded.ids(), padded.mask());
        for (int a = 0; a < probs.size(); a++) {
          for (int r = 0; r < batch.size(); r++) {
            out[batch.get(r)][a] = probs.get(a).getRow(r).toDoubleVector();
          }
        }
      }
    } finally {
      for (int a = 0; a < models.size(); a++) {
        scorers.get(a).giveBack(models.get(a));
      }
    }
  }

  private static PaddedBatch padded(List<Integer> batch, int[][] ids) {
    List<int[]> rows = new ArrayList<>(batch.size());
    for (int i : batch) {
      rows.add(ids[i]);
    }
    return PaddedBatch.of(rows);
  }

  private void run(ComputationGraph graph, List<Integer> order, int[][] ids, double[][][] out, int adapter) {
    for (int start = 0; start < order.size(); start += batchSize) {
      List<Integer> batch = order.subList(start, Math.min(order.size(), start + batchSize));
      PaddedBatch padded = padded(batch, ids);
      INDArray probs = ReusedActivations.output(graph, new INDArray[] {padded.ids()},
          new INDArray[] {padded.mask()})[0];
      for (int r = 0; r < batch.size(); r++) {
        out[batch.get(r)][adapter] = probs.getRow(r).toDoubleVector();
      }
    }
  }

  /** Removes the broadcasts from the executors. */
  public void destroy() {
    scorers.forEach(AdapterScorer::destroy);
    tokenizerJson.destroy();
  }
}
