package org.sparkpeft.job.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.eval.ClassificationMetrics;

/** metrics.json: the machine-readable result of a training run, for scheduled pipelines (keys are stable). */
public final class MetricsJson {

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private MetricsJson() {}

  public static String write(TrainingReport report) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("method", report.method());
    root.put("base_model", Map.of("id", report.baseModelId(), "sha256", report.baseModelSha256()));
    root.put("trainable_params", report.trainableParams());
    root.put("total_params", report.totalParams());
    root.put("trainable_percent", report.trainablePercent());
    List<Map<String, Object>> groups = new ArrayList<>();
    for (TrainingReport.ParamGroup g : report.parameterGroups()) {
      groups.add(ordered("name", g.name(), "trainable", g.trainable(), "total", g.total()));
    }
    root.put("parameter_groups", groups);
    root.put("rounds", report.rounds());
    root.put("epochs", report.epochs());
    TrainingReport.Train train = report.train();
    List<Map<String, Object>> curve = new ArrayList<>();
    for (TrainingReport.LossPoint p : train.lossCurve()) {
      curve.add(ordered("round", p.round(), "loss", p.loss()));
    }
    root.put("train", ordered("examples_per_sec", train.examplesPerSec(),
        "bytes_per_round_broadcast", train.bytesPerRoundBroadcast(),
        "bytes_per_round_collected", train.bytesPerRoundCollected(),
        "stock_bytes_per_round", train.stockBytesPerRound(),
        "loss_curve", curve));
    List<Map<String, Object>> validation = new ArrayList<>();
    for (TrainingReport.Validation v : report.validation()) {
      Map<String, Object> entry = metrics(v.metrics());
      entry.put("round", v.round());
      validation.add(entry);
    }
    root.put("val", validation);
    root.put("test", report.test() == null ? null : metrics(report.test()));
    root.put("wall_seconds", report.wallSeconds());
    Map<String, String> config = new LinkedHashMap<>(report.config());
    String selection = config.remove("method.options.selection");
    root.put("config", config);
    if (selection != null && !selection.isBlank()) {
      try {
        root.put("auto_plan", MAPPER.readTree(selection)); // auto's plan, as a JSON object rather than a string
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("the auto plan in the config is not JSON", e);
      }
    }
    if (report.baseline() != null) {
      root.put("baseline", baseline(report.baseline()));
    }
    root.put("chosen", report.chosen());
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("metrics could not be written as JSON", e);
    }
  }

  /**
   * The result of {@code sparkpeft evaluate}: what was scored, and the metrics block under the split's name
   * (the same block as {@code test} in a training run's metrics.json).
   */
  public static String writeEvaluation(String adapter, String data, String split, String method, String baseId,
                                       String baseSha256, ClassificationMetrics metrics) {
    Map<String, Object> root = ordered("adapter", adapter, "data", data, "split", split, "method", method,
        "base_model", ordered("id", baseId, "sha256", baseSha256));
    root.put(split, metrics(metrics));
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("metrics could not be written as JSON", e);
    }
  }

  /** The baseline block (absent when the baseline is switched off); a split with no rows scores null. */
  static Map<String, Object> baseline(BaselineResult b) {
    List<Map<String, Object>> grid = new ArrayList<>();
    for (BaselineResult.GridPoint p : b.grid()) {
      grid.add(ordered("reg_param", p.regParam(), "val_accuracy", orNull(p.valAccuracy()),
          "val_macro_f1", orNull(p.valMacroF1())));
    }
    return ordered("model", "tfidf_logistic_regression", "accuracy", orNull(b.accuracy()),
        "macro_f1", orNull(b.macroF1()), "val_accuracy", orNull(b.valAccuracy()),
        "val_macro_f1", orNull(b.valMacroF1()), "reg_param", b.regParam(), "features", b.features(),
        "terms", b.terms(), "train_rows", b.trainRows(), "val_rows", b.valRows(), "test_rows", b.testRows(),
        "grid", grid, "seconds", b.seconds());
  }

  private static Double orNull(double value) {
    return Double.isNaN(value) ? null : value;
  }

  static Map<String, Object> metrics(ClassificationMetrics m) {
    Map<String, Object> perClass = new LinkedHashMap<>();
    for (ClassificationMetrics.PerClass c : m.perClass()) {
      perClass.put(c.label(), ordered("precision", c.precision(), "recall", c.recall(), "f1", c.f1(),
          "support", c.support()));
    }
    return ordered("examples", m.examples(), "loss", m.loss(), "accuracy", m.accuracy(), "macro_f1", m.macroF1(),
        "per_class", perClass, "confusion", m.confusion(), "labels", m.labels());
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }
}
