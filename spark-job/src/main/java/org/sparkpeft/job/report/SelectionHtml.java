package org.sparkpeft.job.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.sparkpeft.models.peft.auto.AutoPlan;

/**
 * {@code select}'s report.html: the per-layer importance chart (log10 of the summed empirical Fisher of each block's
 * matrices, biases and LayerNorms; layer -1 is the embeddings' LayerNorm) and the plan as a table, so a user can
 * look before training. Self-contained (inline SVG, no scripts).
 */
public final class SelectionHtml {

  private SelectionHtml() {}

  public static String write(AutoPlan plan, String title) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(Html.escape(title))
        .append("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            + "td,th{padding:2px 8px;text-align:right;font-size:13px}.l{text-align:left}</style></head><body>");
    h.append("<h1>").append(Html.escape(title)).append("</h1>");
    h.append(String.format(Locale.ROOT, "<p>planned %,d of a budget of %,d encoder parameters (%.4f %% of the "
        + "base's %,d), %d of %d groups trained, importance from %d batches; the head trains on top.</p>",
        plan.planned(), plan.budget(), plan.baseParams() == 0 ? 0 : 100.0 * plan.planned() / plan.baseParams(),
        plan.baseParams(), plan.trained().size(), plan.entries().size(), plan.batches()));
    h.append("<h2>Importance per layer</h2>").append(chart(plan));
    h.append("<h2>Plan</h2>").append(planTable(plan));
    return h.append("</body></html>\n").toString();
  }

  /** The per-layer chart: one line per group kind. */
  static String chart(AutoPlan plan) {
    Map<String, TreeMap<Integer, Double>> byKind = new TreeMap<>();
    for (AutoPlan.Entry e : plan.entries()) {
      byKind.computeIfAbsent(e.kind(), k -> new TreeMap<>()).merge(layer(e.group()), e.fisher(), Double::sum);
    }
    String[] colors = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    List<SvgChart.Series> series = new ArrayList<>();
    int c = 0;
    for (Map.Entry<String, TreeMap<Integer, Double>> kind : byKind.entrySet()) {
      List<double[]> points = new ArrayList<>();
      kind.getValue().forEach((layer, fisher) -> points.add(new double[] {layer,
          Math.log10(Math.max(fisher, 1e-30))}));
      series.add(new SvgChart.Series(kind.getKey(), colors[c++ % colors.length], points));
    }
    return SvgChart.render("log10 empirical Fisher per layer", "layer (-1 = embeddings)", series);
  }

  /** The plan as an HTML table (group, kind, scores, what trains, parameters). */
  static String planTable(AutoPlan plan) {
    StringBuilder h = new StringBuilder("<table><tr><th class=\"l\">group</th><th class=\"l\">kind</th>"
        + "<th>fisher</th><th>|g*w|</th><th class=\"l\">trained</th><th>params</th></tr>");
    for (AutoPlan.Entry e : plan.entries()) {
      h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.4e</td>"
          + "<td>%.4e</td><td class=\"l\">%s</td><td>%,d</td></tr>", Html.escape(e.group()), e.kind(), e.fisher(),
          e.taylor(), e.trained(), e.params()));
    }
    return h.append("</table>").toString();
  }

  private static int layer(String group) {
    String prefix = "encoder.layer.";
    if (!group.startsWith(prefix)) {
      return -1;
    }
    String rest = group.substring(prefix.length());
    return Integer.parseInt(rest.substring(0, rest.indexOf('.')));
  }
}
