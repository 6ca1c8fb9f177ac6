package org.sparkpeft.job.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chunk-and-aggregate scoring: the class probabilities of a document's windows are summed as they are scored, and
 * each document is then counted once, predicted as the argmax of its windows' mean probabilities, with the loss
 * -log(mean probability of its label). Every window of a document must be added to the same instance (evaluation
 * partitions rows by document).
 */
public final class DocumentScores {

  private static final class Document {
    final int label;
    final double[] sum;
    int windows;

    Document(int label, int classes) {
      this.label = label;
      this.sum = new double[classes];
    }
  }

  private final int classes;
  private final Map<String, Document> documents = new LinkedHashMap<>();

  public DocumentScores(int classes) {
    this.classes = classes;
  }

  /** One window of document {@code id} with true label {@code label} and class probabilities {@code probabilities}. */
  public DocumentScores add(String id, int label, double[] probabilities) {
    if (probabilities.length != classes) {
      throw new IllegalArgumentException(probabilities.length + " probabilities for " + classes + " classes");
    }
    Document d = documents.computeIfAbsent(id, k -> new Document(label, classes));
    if (d.label != label) {
      throw new IllegalArgumentException("document " + id + " has windows labelled " + d.label + " and " + label);
    }
    for (int c = 0; c < classes; c++) {
      d.sum[c] += probabilities[c];
    }
    d.windows++;
    return this;
  }

  /** Documents seen. */
  public int size() {
    return documents.size();
  }

  /** The mean of document {@code id}'s window probabilities (null when it has none). */
  public double[] mean(String id) {
    Document d = documents.get(id);
    if (d == null) {
      return null;
    }
    double[] out = new double[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = d.sum[c] / d.windows;
    }
    return out;
  }

  /** Adds every document, once, to {@code counts}. */
  public ConfusionCounts addTo(ConfusionCounts counts) {
    for (Map.Entry<String, Document> e : documents.entrySet()) {
      double[] mean = mean(e.getKey());
      int predicted = argMax(mean);
      counts.add(e.getValue().label, predicted, -Math.log(Math.max(mean[e.getValue().label], 1e-12)));
    }
    return counts;
  }

  /** The first index of the largest value. */
  public static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
