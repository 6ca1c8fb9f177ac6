package org.sparkpeft.models.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.auto.AutoConfig;
import org.sparkpeft.models.peft.auto.AutoPlan;
import org.sparkpeft.models.peft.auto.AutoSelection;
import org.sparkpeft.models.peft.auto.Budget;
import org.sparkpeft.models.peft.auto.ParamGroup;
import org.sparkpeft.models.peft.auto.Planner;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * A probe, not a test (not run by surefire's default includes; run it with {@code -Dtest=AutoSpamAssassinProbe}):
 * {@code auto} against LoRA(query,value) of the nearest rank, a random plan of the same budget, BitFit and
 * head-only, in one JVM on the SpamAssassin sample of {@link FineTuningSpamAssassinTest} (240 train / 120 held out,
 * 32 tokens), the same steps, rates and seed for every method; prints held-out accuracy and mean cross-entropy.
 * Small and noisy: a smoke signal of whether the selection helps, not the benchmark ({@code bench select}).
 */
@ExtendWith(OneNativeThread.class)
class AutoSpamAssassinProbe {

  private static final int STEPS = Integer.getInteger("sparkpeft.probe.steps", 150);
  /** The sample's seed ({@link SpamAssassinSample#draw}): another seed is another train / held-out split. */
  private static final long SEED = Long.getLong("sparkpeft.probe.seed", 2024);
  /**
   * auto's variants to train on the same plans, separated by '|', each extra options {@code key=value} separated by
   * ';' (e.g. {@code |lora_scale=2|full_lr=0.3}: the defaults, then two variants).
   */
  private static final String AUTO = System.getProperty("sparkpeft.probe.auto", "");

  @Test
  void probe() {
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    List<SpamAssassinSample.Email> emails = SpamAssassinSample.draw(216, 144, SEED);
    List<int[]> ids = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), 32)) {
      for (SpamAssassinSample.Email email : emails) {
        ids.add(tokenizer.encode(email.text()).ids());
        labels.add(email.label());
      }
    }
    List<TokenBatch> train = TokenBatch.split(ids.subList(0, 240), labels.subList(0, 240), 4);
    List<TokenBatch> test = TokenBatch.split(ids.subList(240, 360), labels.subList(240, 360), 30);
    List<TokenBatch> sample = train.subList(0, 32);
    HeadConfig head = HeadConfig.linear(2);
    List<ParamGroup> groups = ParamGroup.of(encoder.getConfiguration());
    List<String> lines = new ArrayList<>();
    boolean autoOnly = Boolean.getBoolean("sparkpeft.probe.auto-only"); // the other rows do not depend on auto
    if (!autoOnly) {
      lines.add(run(encoder, "head", PeftMethods.parse("head", Map.of(), head), train, test, 0));
      lines.add(run(encoder, "bitfit", PeftMethods.parse("bitfit", Map.of(), head), train, test, 0));
    }
    for (String budget : List.of("0.1%", "0.5%")) {
      long count = new Budget(budget).of(encoder.numParams());
      long start = System.nanoTime();
      AutoConfig selecting = (AutoConfig) PeftMethods.parse("auto", Map.of("budget", budget, "head_steps", "100"),
          head);
      AutoPlan plan = AutoSelection.select(encoder, selecting, sample, Optimization.adamW(5e-3, 0));
      double selectSeconds = (System.nanoTime() - start) / 1e9;
      System.out.println("AUTOPROBE plan at " + budget + ":\n" + plan.table());
      AutoPlan random = Planner.random(groups, count, encoder.numParams(), java.util.Set.of(), 42);
      for (String variant : AUTO.split("\\|", -1)) {
        AutoConfig auto = variant(budget, variant, head);
        String tag = variant.isBlank() ? "" : " [" + variant + "]";
        lines.add(run(encoder, "auto " + budget + tag, auto.withPlan(plan), train, test, selectSeconds));
        if (!autoOnly || budget.equals("0.5%")) {
          lines.add(run(encoder, "random " + budget + tag, auto.withPlan(random), train, test, 0));
        }
      }
      if (autoOnly) {
        continue;
      }
      int r = (int) Math.max(1, Math.round(count / (double) (6 * 2 * 2 * 384)));
      lines.add(run(encoder, "lora r=" + r + " " + budget, PeftMethods.parse("lora", Map.of("r", "" + r, "lora_alpha",
          "" + 2 * r, "target_modules", "query,value"), head), train, test, 0));
    }
    System.out.println("AUTOPROBE summary (SpamAssassin 240 train / 120 held out, seed " + SEED + ", auto '" + AUTO
        + "', MiniLM, 32 tokens, " + STEPS
        + " steps of 4, encoder lr 2e-3, head lr 5e-3, AdamW 0.01):");
    lines.forEach(l -> System.out.println("AUTOPROBE   " + l));
  }

  /** auto's config at {@code budget} with the variant's options ({@code key=value;key=value}). */
  private static AutoConfig variant(String budget, String variant, HeadConfig head) {
    Map<String, String> options = new java.util.LinkedHashMap<>(Map.of("budget", budget, "head_steps", "100"));
    for (String kv : variant.split(";")) {
      if (!kv.isBlank()) {
        options.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
      }
    }
    return (AutoConfig) PeftMethods.parse("auto", options, head);
  }

  private static String run(ComputationGraph encoder, String name, PeftConfig config, List<TokenBatch> train,
                            List<TokenBatch> test, double selectSeconds) {
    PeftModel model = PeftMethods.create(encoder, config, new Optimization(new Adam(2e-3), 0.01, 42, new Adam(5e-3),
        List.of()));
    long start = System.nanoTime();
    FineTuning.fit(model, train, new FitOptions(100, STEPS, 7), FineTuning.StepListener.NONE);
    double seconds = (System.nanoTime() - start) / 1e9;
    double loss = 0;
    long rows = 0;
    for (TokenBatch batch : test) {
      INDArray p = FineTuning.predict(model, batch);
      for (int i = 0; i < batch.size(); i++) {
        loss -= Math.log(Math.max(1e-12, p.getDouble(i, batch.labels()[i])));
        rows++;
      }
    }
    long headCount = model.trainableByGroup().getOrDefault("head", 0L);
    String line = String.format(java.util.Locale.ROOT, "%-40s encoder params %,7d  accuracy %.3f  held-out loss %.4f  "
        + "train %.0f s  selection %.0f s", name, model.trainableCount() - headCount,
        FineTuning.accuracy(model, test), loss / rows, seconds, selectSeconds);
    System.out.println("AUTOPROBE row " + line);
    return line;
  }
}
