package org.sparkpeft.job.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.eval.ConfusionCounts;

class ReportTest {

  static TrainingReport sample() {
    ConfusionCounts counts = new ConfusionCounts(2);
    for (int i = 0; i < 420; i++) {
      counts.add(0, 0, 0.02);
    }
    counts.add(0, 1, 1.9).add(1, 0, 2.1);
    for (int i = 0; i < 186; i++) {
      counts.add(1, 1, 0.05);
    }
    ClassificationMetrics test = counts.metrics(List.of("ham", "spam"));
    List<TrainingReport.LossPoint> curve = new ArrayList<>();
    List<TrainingReport.Validation> validation = new ArrayList<>();
    for (int round = 1; round <= 20; round++) {
      curve.add(new TrainingReport.LossPoint(round, 0.7 / Math.sqrt(round)));
      if (round % 5 == 0) {
        validation.add(new TrainingReport.Validation(round, counts.metrics(List.of("ham", "spam"))));
      }
    }
    Map<String, String> config = new LinkedHashMap<>();
    config.put("method", "lora");
    config.put("lora.target_modules", "[query, value]");
    config.put("note", "<script>alert('x')</script>");
    return new TrainingReport("lora", "sentence-transformers/all-MiniLM-L6-v2", "c6f45a65ca0ed669", 74_498,
        22_639_874, List.of(new TrainingReport.ParamGroup("lora", 73_728, 73_728),
            new TrainingReport.ParamGroup("head", 770, 770),
            new TrainingReport.ParamGroup("encoder (frozen)", 0, 22_565_376)),
        20, 2, new TrainingReport.Train(41.5, 596_112, 1_192_224, 361_837_984, curve), validation, test, 612.0,
        config);
  }

  @Test
  void metricsJsonHoldsEveryKeyPipelinesRead() throws Exception {
    Map<String, Map<String, String>> chosen = new LinkedHashMap<>();
    chosen.put("train.epochs", Map.of("value", "4", "reason", "compute budget"));
    JsonNode json = new ObjectMapper().readTree(MetricsJson.write(sample().withChosen(chosen)));
    assertEquals("4", json.at("/chosen/train.epochs/value").asText());
    assertEquals("compute budget", json.at("/chosen/train.epochs/reason").asText());
    for (String key : new String[] {"method", "base_model", "trainable_params", "total_params", "rounds", "epochs",
        "train", "val", "test", "wall_seconds", "chosen"}) {
      assertTrue(json.has(key), "metrics.json lacks " + key);
    }
    assertEquals("c6f45a65ca0ed669", json.at("/base_model/sha256").asText());
    for (String key : new String[] {"examples_per_sec", "bytes_per_round_broadcast", "bytes_per_round_collected",
        "stock_bytes_per_round", "loss_curve"}) {
      assertTrue(json.get("train").has(key), "train lacks " + key);
    }
    assertEquals(20, json.at("/train/loss_curve").size());
    JsonNode test = json.get("test");
    assertEquals(606.0 / 608, test.get("accuracy").asDouble(), 1e-12);
    assertEquals(420, test.at("/confusion/0/0").asLong());
    assertEquals(187, test.at("/per_class/spam/support").asLong());
    assertEquals("spam", test.at("/labels/1").asText());
    assertEquals(4, json.get("val").size());
    assertEquals(5, json.at("/val/0/round").asInt());
  }

  static BaselineResult baseline() {
    return new BaselineResult("prepared token ids (word pieces), 1-2 grams", 54_321, 2.5e-4,
        List.of(new BaselineResult.GridPoint(2.5e-3, 0.95, 0.94), new BaselineResult.GridPoint(2.5e-4, 0.97, 0.965),
            new BaselineResult.GridPoint(2.5e-5, 0.96, 0.955)), 4_000, 500, 0, 0.97, 0.965, Double.NaN, Double.NaN,
        12.5);
  }

  @Test
  void metricsJsonHasTheBaselineBlockOnlyWhenItRan() throws Exception {
    assertFalse(new ObjectMapper().readTree(MetricsJson.write(sample())).has("baseline"), "switched off: no block");
    JsonNode json = new ObjectMapper().readTree(MetricsJson.write(sample().withBaseline(baseline())));
    JsonNode b = json.get("baseline");
    assertEquals(0.97, b.get("val_accuracy").asDouble());
    assertEquals(0.965, b.get("val_macro_f1").asDouble());
    assertEquals(2.5e-4, b.get("reg_param").asDouble());
    assertEquals(54_321, b.get("features").asInt());
    assertEquals(3, b.get("grid").size());
    assertEquals(0.94, b.at("/grid/0/val_macro_f1").asDouble());
    assertEquals(4_000, b.get("train_rows").asLong());
    // an empty test split scores nothing: null, not NaN (which is not JSON)
    assertTrue(b.has("accuracy") && b.get("accuracy").isNull() && b.get("macro_f1").isNull(), b.toString());
    assertEquals(sample().test().accuracy(), json.at("/test/accuracy").asDouble(), "the model's block is unchanged");
  }

  @Test
  void reportHtmlShowsTheBaselineNextToTheModel() {
    assertFalse(ReportHtml.write(sample()).contains("<h2>Baseline"));
    String html = ReportHtml.write(sample().withBaseline(baseline()));
    assertTrue(html.contains("<h2>Baseline</h2>"), "baseline section");
    assertTrue(html.contains("<td class=\"l\">TF-IDF + logistic regression</td><td>0.9700</td><td>0.9650</td><td>—"),
        "baseline row: val accuracy, val macro-F1, no test rows");
    assertTrue(html.contains("54,321 terms"), "vocabulary size");
  }

  @Test
  void reportHtmlIsSelfContainedAndEscapesWhatItShows() throws Exception {
    String html = ReportHtml.write(sample().withChosen(Map.of("train.epochs",
        Map.of("value", "4", "reason", "budget <script>"))));
    assertTrue(html.contains("Defaults chosen from the data") && html.contains("budget &lt;script&gt;"), "chosen");
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.contains(" src="), "nothing loaded");
    assertFalse(html.contains("<link"), "no external styles");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "config values are escaped");
    assertTrue(html.contains(">420</td>"), "confusion matrix cells");
    assertTrue(html.contains("0.9967"), "test accuracy");
    assertTrue(html.split("<svg").length - 1 == 3, "loss, validation and validation-loss charts");
    Path out = Path.of("target", "report-sample.html");
    Files.writeString(out, html);
  }
}
