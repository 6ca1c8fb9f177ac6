package org.sparkpeft.job.eval;

import java.util.List;

/**
 * Evaluation of a classifier on one split, as metrics.json reports it.
 *
 * @param examples examples evaluated
 * @param loss mean loss per example
 * @param accuracy fraction predicted correctly
 * @param macroF1 unweighted mean of the per-class F1 over the classes present in the labels (one never predicted
 *     counts 0; one the split lacks is left out, as in Spark's MulticlassMetrics)
 * @param perClass precision, recall, F1 and support per class, in label-map order
 * @param confusion rows = true label, columns = prediction, in label-map order
 * @param labels label names in label-map order
 */
public record ClassificationMetrics(long examples, double loss, double accuracy, double macroF1,
                                    List<PerClass> perClass, long[][] confusion, List<String> labels) {

  /** One class's scores. */
  public record PerClass(String label, double precision, double recall, double f1, long support) {}
}
