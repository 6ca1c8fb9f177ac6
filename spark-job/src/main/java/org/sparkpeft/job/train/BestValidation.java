package org.sparkpeft.job.train;

import java.util.List;

import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.train.config.TrainConfig;

/**
 * Which validation's parameters a run keeps (and early stopping waits on): the best {@code eval.metric}; among
 * validations with the same metric value, the one with the lower validation loss. On a small validation split,
 * accuracy and macro-F1 take few distinct values (20 documents: steps of .05), so ties are common; the loss still
 * tells the two apart (a model that gets the same rows right with more confidence). Full ties keep the earlier
 * validation. With {@code eval.metric = loss} the loss is the metric.
 */
final class BestValidation {

  private BestValidation() {}

  /** The metric's value for {@code m}. */
  static double score(TrainConfig.Metric metric, ClassificationMetrics m) {
    return switch (metric) {
      case ACCURACY -> m.accuracy();
      case MACRO_F1 -> m.macroF1();
      case LOSS -> m.loss();
    };
  }

  /** Whether {@code candidate} beats every one of {@code earlier} (true when there are none). */
  static boolean improves(TrainConfig.Metric metric, ClassificationMetrics candidate,
                          List<TrainingReport.Validation> earlier) {
    ClassificationMetrics best = best(metric, earlier);
    return best == null || better(metric, candidate, best);
  }

  /** The kept validation's metrics among {@code validations} (the first of full ties), null for none. */
  static ClassificationMetrics best(TrainConfig.Metric metric, List<TrainingReport.Validation> validations) {
    ClassificationMetrics best = null;
    for (TrainingReport.Validation v : validations) {
      if (best == null || better(metric, v.metrics(), best)) {
        best = v.metrics();
      }
    }
    return best;
  }

  private static boolean better(TrainConfig.Metric metric, ClassificationMetrics a, ClassificationMetrics b) {
    double sa = score(metric, a);
    double sb = score(metric, b);
    if (sa != sb) {
      return metric.higherIsBetter() ? sa > sb : sa < sb;
    }
    return metric != TrainConfig.Metric.LOSS && a.loss() < b.loss();
  }
}
