package org.sparkpeft.job.baseline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.eval.ConfusionCounts;
import org.sparkpeft.job.train.config.TrainConfig;

class BaselineVerdictTest {

  /** Validation metrics with {@code right} of 10 examples of each of two classes predicted right. */
  private static ClassificationMetrics validation(int rightA, int rightB) {
    ConfusionCounts counts = new ConfusionCounts(2);
    counts.addCount(0, 0, rightA).addCount(0, 1, 10 - rightA).addCount(1, 1, rightB).addCount(1, 0, 10 - rightB);
    return counts.metrics(List.of("a", "b"));
  }

  private static BaselineResult baseline(double valAccuracy, double valMacroF1) {
    return new BaselineResult("t", 10, 1e-3, List.of(), 100, 20, 20, valAccuracy, valMacroF1, 0.5, 0.5, 1);
  }

  @Test
  void comparesTheModelsBestValidationScoreWithTheBaselines() {
    // the model's validations: macro-F1 0.5 (all one class) then 0.9; accuracy 0.5 then 0.9
    List<ClassificationMetrics> model = List.of(validation(10, 0), validation(9, 9));
    BaselineVerdict.Verdict beaten = BaselineVerdict.of(model, TrainConfig.Metric.MACRO_F1, baseline(0.95, 0.85));
    assertTrue(beaten.beaten() && beaten.line().contains("beats") && beaten.line().contains("0.9000 vs 0.8500"),
        beaten.line());

    BaselineVerdict.Verdict notBeaten = BaselineVerdict.of(model, TrainConfig.Metric.MACRO_F1, baseline(0.5, 0.9));
    assertFalse(notBeaten.beaten(), "a tie does not beat the baseline");
    assertTrue(notBeaten.line().contains("does NOT beat") && notBeaten.line().contains("macro-F1 0.9000 vs the "
        + "baseline's 0.9000") && notBeaten.line().endsWith(", a tie"), notBeaten.line());

    // a run that selects on accuracy is compared on accuracy
    BaselineVerdict.Verdict onAccuracy = BaselineVerdict.of(model, TrainConfig.Metric.ACCURACY, baseline(0.95, 0.1));
    assertFalse(onAccuracy.beaten());
    assertTrue(onAccuracy.line().contains("best accuracy 0.9000 vs the baseline's 0.9500")
        && onAccuracy.line().contains("; try more epochs"),
        onAccuracy.line());
  }

  @Test
  void nothingToCompareWithoutValidationScores() {
    assertNull(BaselineVerdict.of(List.of(), TrainConfig.Metric.MACRO_F1, baseline(0.9, 0.9)));
    assertNull(BaselineVerdict.of(List.of(validation(9, 9)), TrainConfig.Metric.MACRO_F1,
        baseline(Double.NaN, Double.NaN)));
  }
}
