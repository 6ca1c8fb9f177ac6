package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.report.TrainingReport.Validation;
import org.sparkpeft.job.train.config.TrainConfig.Metric;

class BestValidationTest {

  private static ClassificationMetrics m(double loss, double accuracy, double macroF1) {
    return new ClassificationMetrics(20, loss, accuracy, macroF1, List.of(), new long[0][0], List.of("a", "b"));
  }

  @Test
  void aHigherMetricWinsWhateverTheLoss() {
    List<Validation> earlier = List.of(new Validation(10, m(0.30, 0.85, 0.85)));
    assertTrue(BestValidation.improves(Metric.MACRO_F1, m(0.60, 0.90, 0.90), earlier));
    assertFalse(BestValidation.improves(Metric.MACRO_F1, m(0.10, 0.80, 0.80), earlier));
    assertTrue(BestValidation.improves(Metric.MACRO_F1, m(0.10, 0.80, 0.80), List.of()));
  }

  @Test
  void aTieOnTheMetricGoesToTheLowerLoss() {
    List<Validation> earlier = List.of(new Validation(10, m(0.40, 0.90, 0.90)));
    assertTrue(BestValidation.improves(Metric.MACRO_F1, m(0.35, 0.90, 0.90), earlier));
    assertFalse(BestValidation.improves(Metric.MACRO_F1, m(0.45, 0.90, 0.90), earlier));
    assertFalse(BestValidation.improves(Metric.MACRO_F1, m(0.40, 0.90, 0.90), earlier), "a full tie keeps the earlier");
    assertTrue(BestValidation.improves(Metric.ACCURACY, m(0.35, 0.90, 0.70), List.of(new Validation(1, m(0.4, 0.9, 0.9)))));
  }

  @Test
  void theKeptValidationIsTheLowestLossAmongTheBestMetric() {
    ClassificationMetrics first = m(0.50, 0.90, 0.90);
    ClassificationMetrics lowerLoss = m(0.30, 0.90, 0.90);
    ClassificationMetrics lowestLossWorseMetric = m(0.10, 0.85, 0.85);
    List<Validation> all = List.of(new Validation(1, first), new Validation(2, lowestLossWorseMetric),
        new Validation(3, lowerLoss), new Validation(4, m(0.30, 0.90, 0.90)));
    assertSame(lowerLoss, BestValidation.best(Metric.MACRO_F1, all));
    assertSame(lowestLossWorseMetric, BestValidation.best(Metric.LOSS, all));
    assertNull(BestValidation.best(Metric.MACRO_F1, List.of()));
  }

  @Test
  void withLossAsTheMetricLowerIsBetter() {
    List<Validation> earlier = List.of(new Validation(10, m(0.40, 0.90, 0.90)));
    assertTrue(BestValidation.improves(Metric.LOSS, m(0.39, 0.50, 0.50), earlier));
    assertFalse(BestValidation.improves(Metric.LOSS, m(0.40, 0.95, 0.95), earlier));
  }
}
