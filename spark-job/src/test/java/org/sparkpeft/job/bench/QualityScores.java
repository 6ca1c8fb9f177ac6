package org.sparkpeft.job.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The scores {@code bench quality} reports from one training run's metrics.json: test accuracy and macro-F1, the
 * best validation macro-F1, and the TF-IDF + logistic regression baseline's test accuracy and macro-F1 (and its
 * validation macro-F1) when the run wrote a {@code baseline} block (null otherwise).
 */
record QualityScores(double testAccuracy, double testMacroF1, Double bestValMacroF1, Double baselineAccuracy,
                     Double baselineMacroF1, Double baselineValMacroF1) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static QualityScores fromMetricsJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("metrics.json is not JSON", e);
    }
    JsonNode test = root.path("test");
    if (!test.isObject()) {
      throw new IllegalStateException("metrics.json has no test block (the prepared data has no test split?)");
    }
    Double bestVal = null;
    for (JsonNode v : root.path("val")) {
      if (v.path("macro_f1").isNumber()) {
        double f1 = v.path("macro_f1").asDouble();
        bestVal = bestVal == null ? f1 : Math.max(bestVal, f1);
      }
    }
    JsonNode baseline = root.path("baseline");
    Double baselineAccuracy = number(baseline, "accuracy");
    Double baselineF1 = number(baseline, "macro_f1");
    return new QualityScores(test.path("accuracy").asDouble(), test.path("macro_f1").asDouble(), bestVal,
        baselineAccuracy, baselineF1, number(baseline, "val_macro_f1"));
  }

  private static Double number(JsonNode node, String key) {
    return node.isObject() && node.path(key).isNumber() ? node.path(key).asDouble() : null;
  }

  /** {@code 0.912 / 0.874} (accuracy / macro-F1), or a dash when absent. */
  static String pair(Double accuracy, Double macroF1) {
    return accuracy == null || macroF1 == null ? "—"
        : String.format(Locale.ROOT, "%.3f / %.3f", accuracy, macroF1);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("test_accuracy", testAccuracy);
    m.put("test_macro_f1", testMacroF1);
    m.put("best_val_macro_f1", bestValMacroF1);
    return m;
  }
}
