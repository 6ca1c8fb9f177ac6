package org.sparkpeft.job.cli;

import java.util.Locale;

import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.report.TrainingReport;

/** The summary row that puts the TF-IDF + logistic-regression baseline next to the fine-tuned model. */
final class BaselineSummary {

  private BaselineSummary() {}

  /** e.g. "TF-IDF + LR test accuracy 0.9600, macro-F1 0.9500; val macro-F1 0.9510 vs the model's best 0.9800". */
  static String line(TrainingReport r) {
    BaselineResult b = r.baseline();
    double best = Double.NaN;
    for (TrainingReport.Validation v : r.validation()) {
      best = Double.isNaN(best) ? v.metrics().macroF1() : Math.max(best, v.metrics().macroF1());
    }
    return String.format(Locale.ROOT, "TF-IDF + LR test accuracy %s, macro-F1 %s; val macro-F1 %s vs the model's "
        + "best %s (reg %.2g, %.0f s)", fmt(b.accuracy()), fmt(b.macroF1()), fmt(b.valMacroF1()), fmt(best),
        b.regParam(), b.seconds());
  }

  private static String fmt(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
  }
}
