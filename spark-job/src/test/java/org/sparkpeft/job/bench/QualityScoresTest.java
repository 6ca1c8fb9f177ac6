package org.sparkpeft.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.report.MetricsJson;
import org.sparkpeft.job.report.TrainingReport;

/** bench quality reads what a training run writes: metrics.json as {@link MetricsJson} writes it. */
class QualityScoresTest {

  private static ClassificationMetrics metrics(double accuracy, double macroF1) {
    return new ClassificationMetrics(100, 0.3, accuracy, macroF1, List.of(), new long[][] {{50, 0}, {0, 50}},
        List.of("a", "b"));
  }

  private static String metricsJson(ClassificationMetrics test, double... valF1) {
    List<TrainingReport.Validation> val = new ArrayList<>();
    for (int i = 0; i < valF1.length; i++) {
      val.add(new TrainingReport.Validation(10 * (i + 1), metrics(0.5, valF1[i])));
    }
    TrainingReport report = new TrainingReport("lora", "m", "sha", 1, 2, List.of(), 30, 2,
        new TrainingReport.Train(10, 1, 1, 1, List.of()), val, test, 60, Map.of());
    return MetricsJson.write(report);
  }

  @Test
  void testScoresAndTheBestValidationAreReadAndAMissingBaselineIsADash() {
    QualityScores s = QualityScores.fromMetricsJson(metricsJson(metrics(0.81, 0.62), 0.40, 0.58, 0.55));
    assertEquals(0.81, s.testAccuracy(), 1e-12);
    assertEquals(0.62, s.testMacroF1(), 1e-12);
    assertEquals(0.58, s.bestValMacroF1(), 1e-12);
    assertNull(s.baselineAccuracy());
    assertEquals("—", QualityScores.pair(s.baselineAccuracy(), s.baselineMacroF1()));
    assertEquals("0.810 / 0.620", QualityScores.pair(s.testAccuracy(), s.testMacroF1()));
  }

  @Test
  void theBaselineBlockIsReadWhenTheRunWroteOne() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(metricsJson(metrics(0.9, 0.8), 0.7));
    root.putObject("baseline").put("model", "tfidf_logistic_regression").put("accuracy", 0.674)
        .put("macro_f1", 0.576).put("val_accuracy", 0.7).put("val_macro_f1", 0.61).put("seconds", 12.0);
    QualityScores s = QualityScores.fromMetricsJson(mapper.writeValueAsString(root));
    assertEquals(0.674, s.baselineAccuracy(), 1e-12);
    assertEquals(0.576, s.baselineMacroF1(), 1e-12);
    assertEquals(0.61, s.baselineValMacroF1(), 1e-12);
    assertEquals("0.674 / 0.576", QualityScores.pair(s.baselineAccuracy(), s.baselineMacroF1()));
  }

  @Test
  void aBaselineThatCouldNotBeScoredIsADash() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(metricsJson(metrics(0.9, 0.8), 0.7));
    root.putObject("baseline").putNull("accuracy").putNull("macro_f1");
    QualityScores s = QualityScores.fromMetricsJson(mapper.writeValueAsString(root));
    assertEquals("—", QualityScores.pair(s.baselineAccuracy(), s.baselineMacroF1()));
  }

  @Test
  void aRunWithoutATestSplitIsRefused() {
    assertThrows(IllegalStateException.class, () -> QualityScores.fromMetricsJson(metricsJson(null, 0.5)));
  }
}
