package org.sparkpeft.job.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.eval.ClassificationMetrics;

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) with the loss and
 * validation curves, test metrics, confusion matrix, parameter report, traffic per round and the configuration.
 */
public final class ReportHtml {

  private ReportHtml() {}

  public static String write(TrainingReport r) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sparkpeft report — ")
        .append(Html.escape(r.method())).append("</title><style>")
        .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}")
        .append("table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:right}th{background:#f0f0f0}td.l,th.l{text-align:left}h2{margin-top:28px}")
        .append(".kpi{display:inline-block;margin:0 24px 12px 0}.kpi b{display:block;font-size:22px}")
        .append("</style></head><body>");
    h.append("<h1>sparkpeft: ").append(Html.escape(r.method())).append(" on ")
        .append(Html.escape(r.baseModelId())).append("</h1>");
    h.append("<p>base sha256 <code>").append(Html.escape(r.baseModelSha256())).append("</code></p>");
    ClassificationMetrics test = r.test();
    kpi(h, "test accuracy", test == null ? "—" : fmt(test.accuracy()));
    kpi(h, "test macro-F1", test == null ? "—" : fmt(test.macroF1()));
    if (r.baseline() != null) {
      kpi(h, "baseline test macro-F1", fmtOrDash(r.baseline().macroF1()));
    }
    kpi(h, "trainable", String.format(Locale.ROOT, "%,d (%.3f %%)", r.trainableParams(), r.trainablePercent()));
    kpi(h, "rounds / epochs", r.rounds() + " / " + r.epochs());
    kpi(h, "train examples/s", String.format(Locale.ROOT, "%.1f", r.train().examplesPerSec()));
    kpi(h, "wall time", String.format(Locale.ROOT, "%.0f s", r.wallSeconds()));

    h.append("<h2>Training loss</h2>");
    List<double[]> loss = new ArrayList<>();
    r.train().lossCurve().forEach(p -> loss.add(new double[] {p.round(), p.loss()}));
    h.append(SvgChart.render("training loss by round", "round",
        List.of(new SvgChart.Series("train loss", "#1f77b4", loss))));
    h.append("<h2>Validation</h2>");
    List<double[]> accuracy = new ArrayList<>();
    List<double[]> f1 = new ArrayList<>();
    List<double[]> valLoss = new ArrayList<>();
    for (TrainingReport.Validation v : r.validation()) {
      accuracy.add(new double[] {v.round(), v.metrics().accuracy()});
      f1.add(new double[] {v.round(), v.metrics().macroF1()});
      valLoss.add(new double[] {v.round(), v.metrics().loss()});
    }
    h.append(SvgChart.render("validation accuracy and macro-F1 by round", "round",
        List.of(new SvgChart.Series("accuracy", "#2ca02c", accuracy), new SvgChart.Series("macro-F1", "#d62728", f1))));
    h.append(SvgChart.render("validation loss by round", "round",
        List.of(new SvgChart.Series("val loss", "#9467bd", valLoss))));

    if (test != null) {
      h.append("<h2>Test split</h2>");
      h.append("<table><tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
      for (ClassificationMetrics.PerClass c : test.perClass()) {
        h.append("<tr><td class=\"l\">").append(Html.escape(c.label())).append("</td><td>").append(fmt(c.precision()))
            .append("</td><td>").append(fmt(c.recall())).append("</td><td>").append(fmt(c.f1())).append("</td><td>")
            .append(c.support()).append("</td></tr>");
      }
      h.append("</table>");
      h.append("<h3>Confusion matrix (rows: true label, columns: prediction)</h3><table><tr><th></th>");
      test.labels().forEach(l -> h.append("<th>").append(Html.escape(l)).append("</th>"));
      h.append("</tr>");
      long max = 1;
      for (long[] row : test.confusion()) {
        for (long v : row) {
          max = Math.max(max, v);
        }
      }
      for (int i = 0; i < test.confusion().length; i++) {
        h.append("<tr><th class=\"l\">").append(Html.escape(test.labels().get(i))).append("</th>");
        for (long v : test.confusion()[i]) {
          int shade = 255 - (int) (155.0 * v / max);
          h.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,255)\">%d</td>", shade, shade, v));
        }
        h.append("</tr>");
      }
      h.append("</table>");
    }

    if (r.baseline() != null) {
      baseline(h, r);
    }

    h.append("<h2>Parameters</h2><table><tr><th class=\"l\">group</th><th>trainable</th><th>total</th></tr>");
    for (TrainingReport.ParamGroup g : r.parameterGroups()) {
      h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%,d</td><td>%,d</td></tr>",
          Html.escape(g.name()), g.trainable(), g.total()));
    }
    h.append(String.format(Locale.ROOT, "<tr><th class=\"l\">all</th><th>%,d</th><th>%,d</th></tr></table>",
        r.trainableParams(), r.totalParams()));

    TrainingReport.Train t = r.train();
    h.append("<h2>Traffic per round</h2><table><tr><th class=\"l\"></th><th>bytes</th></tr>");
    h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">broadcast (trainable params + updater state)</td><td>%,d</td></tr>",
        t.bytesPerRoundBroadcast()));
    h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">collected from workers</td><td>%,d</td></tr>",
        t.bytesPerRoundCollected()));
    h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">DL4J stock parameter averaging, same model and workers</td><td>%,d</td></tr>",
        t.stockBytesPerRound()));
    h.append("</table>");

    h.append("<h2>Configuration</h2><table><tr><th class=\"l\">key</th><th class=\"l\">value</th></tr>");
    String selection = null;
    for (Map.Entry<String, String> e : r.config().entrySet()) {
      boolean plan = e.getKey().equals("method.options.selection");
      selection = plan ? e.getValue() : selection;
      h.append("<tr><td class=\"l\">").append(Html.escape(e.getKey())).append("</td><td class=\"l\">")
          .append(Html.escape(plan ? "(the auto plan, below)" : e.getValue())).append("</td></tr>");
    }
    h.append("</table>");
    if (selection != null && !selection.isBlank()) {
      h.append("<h2>auto plan</h2>").append(SelectionHtml.planTable(
          org.sparkpeft.models.peft.auto.AutoPlan.fromJson(selection, "method.options.selection")));
    }
    if (!r.chosen().isEmpty()) {
      h.append("<h2>Defaults chosen from the data</h2><table><tr><th class=\"l\">key</th><th class=\"l\">value</th>"
          + "<th class=\"l\">reason</th></tr>");
      for (Map.Entry<String, Map<String, String>> e : r.chosen().entrySet()) {
        h.append("<tr><td class=\"l\">").append(Html.escape(e.getKey())).append("</td><td class=\"l\">")
            .append(Html.escape(e.getValue().getOrDefault("value", ""))).append("</td><td class=\"l\">")
            .append(Html.escape(e.getValue().getOrDefault("reason", ""))).append("</td></tr>");
      }
      h.append("</table>");
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  /** The fine-tuned model next to the TF-IDF + logistic-regression baseline, on the same splits. */
  private static void baseline(StringBuilder h, TrainingReport r) {
    BaselineResult b = r.baseline();
    double bestAccuracy = Double.NaN;
    double bestF1 = Double.NaN;
    for (TrainingReport.Validation v : r.validation()) {
      bestAccuracy = Double.isNaN(bestAccuracy) ? v.metrics().accuracy() : Math.max(bestAccuracy, v.metrics().accuracy());
      bestF1 = Double.isNaN(bestF1) ? v.metrics().macroF1() : Math.max(bestF1, v.metrics().macroF1());
    }
    ClassificationMetrics test = r.test();
    h.append("<h2>Baseline</h2><p>TF-IDF (").append(Html.escape(b.terms()))
        .append(String.format(Locale.ROOT, ", %,d terms) + logistic regression (Spark ML, L2 %.2g chosen on ", b.features(),
            b.regParam()))
        .append("validation macro-F1), fitted on the same train split, scored on the same validation and test splits.</p>");
    h.append("<table><tr><th class=\"l\"></th><th>val accuracy (best)</th><th>val macro-F1 (best)</th>")
        .append("<th>test accuracy</th><th>test macro-F1</th></tr>");
    h.append("<tr><td class=\"l\">").append(Html.escape(r.method())).append("</td><td>").append(fmtOrDash(bestAccuracy))
        .append("</td><td>").append(fmtOrDash(bestF1)).append("</td><td>")
        .append(test == null ? "—" : fmt(test.accuracy())).append("</td><td>")
        .append(test == null ? "—" : fmt(test.macroF1())).append("</td></tr>");
    h.append("<tr><td class=\"l\">TF-IDF + logistic regression</td><td>").append(fmtOrDash(b.valAccuracy()))
        .append("</td><td>").append(fmtOrDash(b.valMacroF1())).append("</td><td>").append(fmtOrDash(b.accuracy()))
        .append("</td><td>").append(fmtOrDash(b.macroF1())).append("</td></tr></table>");
  }

  private static String fmtOrDash(double value) {
    return Double.isNaN(value) ? "—" : fmt(value);
  }

  private static void kpi(StringBuilder h, String name, String value) {
    h.append("<span class=\"kpi\">").append(Html.escape(name)).append("<b>").append(Html.escape(value))
        .append("</b></span>");
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
