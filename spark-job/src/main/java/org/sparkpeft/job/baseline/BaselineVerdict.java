package org.sparkpeft.job.baseline;

import java.util.List;
import java.util.Locale;

import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.train.config.TrainConfig;

/**
 * The fine-tuned model against the baseline, on validation only: the model's best validation score (accuracy when
 * the run selects on accuracy, macro-F1 otherwise) against the baseline's on the same validation split.
 */
public final class BaselineVerdict {

  private BaselineVerdict() {}

  /** Whether the fine-tuned model beat the baseline, and the one log line that says so. */
  public record Verdict(boolean beaten, String line) {}

  /** The verdict, or null when there is nothing to compare (no validation scores on either side). */
  public static Verdict of(List<ClassificationMetrics> validations, TrainConfig.Metric metric,
                           BaselineResult baseline) {
    boolean accuracy = metric == TrainConfig.Metric.ACCURACY;
    String name = accuracy ? "accuracy" : "macro-F1";
    double theirs = accuracy ? baseline.valAccuracy() : baseline.valMacroF1();
    double ours = Double.NaN;
    for (ClassificationMetrics m : validations) {
      double score = accuracy ? m.accuracy() : m.macroF1();
      if (!Double.isNaN(score) && (Double.isNaN(ours) || score > ours)) {
        ours = score;
      }
    }
    if (Double.isNaN(ours) || Double.isNaN(theirs)) {
      return null;
    }
    boolean beaten = ours > theirs;
    String line = beaten
        ? String.format(Locale.ROOT, "the fine-tuned model beats the TF-IDF + logistic-regression baseline on "
            + "validation: best %s %.4f vs %.4f", name, ours, theirs)
        : String.format(Locale.ROOT, "the fine-tuned model does NOT beat the TF-IDF + logistic-regression baseline "
            + "on validation: best %s %.4f vs the baseline's %.4f (metrics.json baseline)%s", name, ours, theirs,
            ours < theirs ? "; try more epochs, another learning rate or method, or use the baseline" : ", a tie");
    return new Verdict(beaten, line);
  }
}
