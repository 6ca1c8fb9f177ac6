package org.sparkpeft.models.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.sparkpeft.models.bert.layers.KernelClock;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.FitOptions;
import org.sparkpeft.models.train.TokenBatch;

/**
 * The per-op breakdown of training steps: DL4J's through {@link TimingExecutioner} (ND4J ops) and
 * {@link KernelClock} (sparkpeft's Java kernels for LayerNorm, GELU and softmax backward, which are not ND4J ops),
 * PyTorch's from its profiler.
 */
final class OpBreakdown {

  private OpBreakdown() {}

  /** ms per step by {@link OpClasses} class over {@code steps} optimizer steps of {@code model} on {@code batch}. */
  static Map<String, Double> dl4j(PeftModel model, TokenBatch batch, int steps) {
    TimingExecutioner timing = TimingExecutioner.install();
    Map<String, Long> kernels = new LinkedHashMap<>();
    Thread trainer = Thread.currentThread();
    long start;
    long wall;
    try {
      timing.reset();
      KernelClock.listen((kernel, nanos) -> {
        if (Thread.currentThread() == trainer) {
          kernels.merge(OpClasses.ofKernel(kernel), nanos, Long::sum);
        }
      });
      start = System.nanoTime();
      FineTuning.fit(model, java.util.Collections.nCopies(steps, batch), FitOptions.epochs(1),
          FineTuning.StepListener.NONE);
      wall = System.nanoTime() - start;
    } finally {
      KernelClock.listen(null);
      timing.uninstall();
    }
    Map<String, Double> ms = new LinkedHashMap<>();
    long inOps = 0;
    Map<String, Long> all = timing.nanosByClass();
    kernels.forEach((cls, nanos) -> all.merge(cls, nanos, Long::sum));
    for (Map.Entry<String, Long> e : all.entrySet()) {
      ms.put(e.getKey(), e.getValue() / 1e6 / steps);
      inOps += e.getValue();
    }
    ms.put(OpClasses.OVERHEAD, Math.max(0, wall - inOps - timing.classifyingNanos()) / 1e6 / steps);
    return ms;
  }

  static Map<String, Double> torch(JsonNode profile) {
    Map<String, Double> ms = new LinkedHashMap<>();
    profile.get("ops_ms_per_step").fields().forEachRemaining(e -> ms.put(e.getKey(), e.getValue().asDouble()));
    return ms;
  }

  /** Prints one table (op class, ms per step on each side) and returns it as JSON. */
  static String print(int seq, Map<String, Double> dl4j, Map<String, Double> torch) {
    System.out.printf("per-op breakdown of one training step, seq %d (ms per step; DL4J: ND4J ops timed by class, "
        + "PyTorch: torch.profiler self time; the profilers' own cost is left out)%n", seq);
    System.out.printf("  %-36s %10s %10s%n", "op class", "DL4J", torch == null ? "" : "PyTorch");
    List<String> order = new java.util.ArrayList<>(OpClasses.ORDER);
    dl4j.keySet().stream().filter(k -> !order.contains(k)).forEach(order::add);
    if (torch != null) {
      torch.keySet().stream().filter(k -> !order.contains(k)).forEach(order::add);
    }
    double sumD = 0;
    double sumT = 0;
    StringBuilder json = new StringBuilder("{");
    for (String cls : order) {
      double d = dl4j.getOrDefault(cls, 0.0);
      double t = torch == null ? Double.NaN : torch.getOrDefault(cls, 0.0);
      sumD += d;
      sumT += torch == null ? 0 : t;
      System.out.printf(Locale.ROOT, "  %-36s %10.1f %10s%n", cls, d,
          torch == null ? "" : String.format(Locale.ROOT, "%.1f", t));
      json.append(json.length() > 1 ? "," : "").append(String.format(Locale.ROOT, "\"%s\":{\"dl4j_ms\":%.2f%s}", cls,
          d, torch == null ? "" : String.format(Locale.ROOT, ",\"torch_ms\":%.2f", t)));
    }
    System.out.printf(Locale.ROOT, "  %-36s %10.1f %10s%n", "total", sumD,
        torch == null ? "" : String.format(Locale.ROOT, "%.1f", sumT));
    return json.append("}").toString();
  }
}
