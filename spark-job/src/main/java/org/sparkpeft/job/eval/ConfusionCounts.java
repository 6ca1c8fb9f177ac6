package org.sparkpeft.job.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What evaluation accumulates per partition and merges across executors: the confusion matrix (rows = true
 * label, columns = prediction) and the summed loss. Mutable while a task fills it; merging returns the receiver.
 */
public final class ConfusionCounts implements Serializable {

  private final long[][] counts;
  private double lossSum;
  private long examples;

  public ConfusionCounts(int classes) {
    if (classes < 2) {
      throw new IllegalArgumentException("at least 2 classes, got " + classes);
    }
    this.counts = new long[classes][classes];
  }

  public ConfusionCounts add(int label, int predicted, double loss) {
    counts[label][predicted]++;
    lossSum += loss;
    examples++;
    return this;
  }

  /** {@code count} examples of {@code label} predicted as {@code predicted}, scored without a loss (it adds 0). */
  public ConfusionCounts addCount(int label, int predicted, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("a count is >= 0, got " + count);
    }
    counts[label][predicted] += count;
    examples += count;
    return this;
  }

  public ConfusionCounts merge(ConfusionCounts other) {
    if (other.counts.length != counts.length) {
      throw new IllegalArgumentException("cannot merge " + other.counts.length + " classes into " + counts.length);
    }
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < counts.length; j++) {
        counts[i][j] += other.counts[i][j];
      }
    }
    lossSum += other.lossSum;
    examples += other.examples;
    return this;
  }

  public long examples() {
    return examples;
  }

  /**
   * Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix, with the given label names. Macro-F1
   * averages the classes present in the labels (as Spark's {@code MulticlassMetrics} does): a present class never
   * predicted scores 0, and a class the split lacks (a small split can miss a rare class) is left out, so a split
   * without it is not capped at (k - 1) / k. Predicting a class the split lacks is an error of the true class, not a
   * zero in the average: for one split the score is the old all-classes mean times k / (classes present), so rounds
   * and settings rank as they did. NaN when there are no examples.
   */
  public ClassificationMetrics metrics(List<String> labels) {
    int k = counts.length;
    if (labels.size() != k) {
      throw new IllegalArgumentException(k + " classes but " + labels.size() + " label names");
    }
    long correct = 0;
    List<ClassificationMetrics.PerClass> perClass = new ArrayList<>(k);
    double f1Sum = 0;
    int occurring = 0;
    for (int c = 0; c < k; c++) {
      long tp = counts[c][c];
      long predicted = 0;
      long actual = 0;
      for (int o = 0; o < k; o++) {
        predicted += counts[o][c];
        actual += counts[c][o];
      }
      correct += tp;
      double precision = predicted == 0 ? 0 : (double) tp / predicted;
      double recall = actual == 0 ? 0 : (double) tp / actual;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      if (actual > 0) {
        f1Sum += f1;
        occurring++;
      }
      perClass.add(new ClassificationMetrics.PerClass(labels.get(c), precision, recall, f1, actual));
    }
    long[][] confusion = new long[k][];
    for (int c = 0; c < k; c++) {
      confusion[c] = counts[c].clone();
    }
    return new ClassificationMetrics(examples, examples == 0 ? Double.NaN : lossSum / examples,
        examples == 0 ? Double.NaN : (double) correct / examples, occurring == 0 ? Double.NaN : f1Sum / occurring,
        perClass, confusion, List.copyOf(labels));
  }
}
