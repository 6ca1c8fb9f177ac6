package org.sparkpeft.models.peft.auto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.InvalidOptionException;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.OptionSpec;
import org.sparkpeft.models.peft.PeftConfig;

/**
 * Automatic parameter selection: estimate each group's importance for the task (empirical Fisher after a short
 * head fit), then train the plan that maximises it under a budget, mixing LoRA of different ranks on matrices and
 * full training of small groups ({@link Planner}). The plan is chosen before training ({@link AutoSelection}, or
 * spark-job's selection stage) and then fixed: a config without a plan cannot be applied yet.
 *
 * @param budget encoder parameters the plan may train (a count or a percentage of the base)
 * @param ranks the LoRA ranks a matrix may get (non-empty, each >= 1)
 * @param loraAlpha LoRA's scale is {@code lora_alpha / r} when {@code loraScale} is 0
 * @param loraScale LoRA's scale on every matrix whatever its rank (> 0), or 0 for {@code lora_alpha / r} (what
 *     adapters saved before this option used)
 * @param fullLr multiplier of the encoder's learning rate for fully trained groups (> 0; LoRA matrices keep 1)
 * @param sample rows of the train split the importance is estimated on (>= 1)
 * @param headSteps head-only steps before the estimate (>= 0)
 * @param planPath a saved plan to start from (empty: select)
 * @param plan the plan, once selected or read; null before
 * @param head the classification head trained alongside
 */
public record AutoConfig(Budget budget, Set<Integer> ranks, double loraAlpha, double loraScale, double fullLr,
                         int sample, int headSteps, String planPath, AutoPlan plan, HeadConfig head) implements PeftConfig {

  public static final String TYPE = "auto";

  public AutoConfig {
    if (budget == null || head == null) {
      throw new IllegalArgumentException("auto needs a budget and a head config");
    }
    ranks = ranks == null || ranks.isEmpty() ? Planner.RANKS : ranks;
    ranks = java.util.Collections.unmodifiableSet(new TreeSet<>(ranks));
    if (ranks.stream().anyMatch(r -> r < 1)) {
      throw new IllegalArgumentException("auto ranks must be >= 1, got " + ranks);
    }
    if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) {
      throw new IllegalArgumentException("auto lora_alpha must be a positive number, got " + loraAlpha);
    }
    if (!(loraScale >= 0) || Double.isInfinite(loraScale)) {
      throw new IllegalArgumentException("auto lora_scale must be 0 (lora_alpha / r) or a positive number, got "
          + loraScale);
    }
    if (!(fullLr > 0) || Double.isInfinite(fullLr)) {
      throw new IllegalArgumentException("auto full_lr must be a positive number, got " + fullLr);
    }
    if (sample < 1 || headSteps < 0) {
      throw new IllegalArgumentException("auto sample must be >= 1 and head_steps >= 0, got " + sample + " and "
          + headSteps);
    }
    planPath = planPath == null ? "" : planPath;
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** This configuration with {@code plan} chosen. */
  public AutoConfig withPlan(AutoPlan plan) {
    return new AutoConfig(budget, ranks, loraAlpha, loraScale, fullLr, sample, headSteps, planPath, plan, head);
  }

  /** This configuration with another head. */
  public AutoConfig withHead(HeadConfig head) {
    return new AutoConfig(budget, ranks, loraAlpha, loraScale, fullLr, sample, headSteps, planPath, plan, head);
  }

  /** LoRA's scale on a matrix of rank {@code rank}. */
  public double scale(int rank) {
    return loraScale > 0 ? loraScale : loraAlpha / rank;
  }

  /**
   * Default of {@code lora_scale}: 2 (LoRA's alpha = 2r) rather than 8 / r, which gives rank 1 a scale of 8. Chosen
   * with {@link #FULL_LR} on the held-out rows of AutoSpamAssassinProbe (3 samples): together they raised auto's
   * mean held-out accuracy from .883 to .928 at 0.1 % and from .881 to .911 at 0.5 %, lower on no sample.
   */
  public static final double LORA_SCALE = 2;
  /** Default of {@code full_lr}: fully trained biases and LayerNorms learn at 0.3 x the LoRA rate (see above). */
  public static final double FULL_LR = 0.3;

  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE,
      OptionSpec.text("budget", "0.5%", "encoder parameters to train: a count (50000) or a percentage of the base (0.5%);"
          + " the head trains on top"),
      OptionSpec.integers("ranks", 1, "LoRA ranks a matrix may get; empty = 1,2,4,8,16"),
      OptionSpec.decimal("lora_alpha", 8, OptionSpec.Range.above(0), "LoRA scale = lora_alpha / r when lora_scale is 0"),
      OptionSpec.decimal("lora_scale", LORA_SCALE, OptionSpec.Range.atLeast(0), "LoRA scale on every matrix whatever"
          + " its rank; 0 = lora_alpha / r (an adapter saved without this option loads with 0)"),
      OptionSpec.decimal("full_lr", FULL_LR, OptionSpec.Range.above(0), "multiplier of the encoder's learning rate"
          + " for fully trained groups (biases, LayerNorms, full matrices); LoRA matrices keep the rate"),
      OptionSpec.integer("sample", 512, 1, "rows of the train split the importance is estimated on"),
      OptionSpec.integer("head_steps", 200, 0, "head-only steps before the estimate"),
      OptionSpec.text("plan", "", "a saved plan (JSON from select) to train instead of selecting"),
      OptionSpec.text("selection", "", "the chosen plan as JSON; sparkpeft writes it into the adapter"));

  /**
   * From options, as {@link #OPTIONS} declares them; the plan comes from {@code selection} if given, else from the
   * file {@code plan} names, else it is selected later.
   *
   * @throws InvalidOptionException for an undeclared option, a refused value or an unreadable plan
   */
  public static AutoConfig parse(Map<String, String> options, HeadConfig head) {
    MethodOptions.Values v = OPTIONS.read(options);
    Budget budget;
    try {
      budget = new Budget(v.text("budget"));
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(Budget.KEY, e.getMessage());
    }
    String planPath = v.text("plan");
    AutoPlan plan = null;
    if (!v.text("selection").isEmpty()) {
      plan = readPlan(v.text("selection"), OptionSpec.PREFIX + "selection");
    } else if (!planPath.isEmpty()) {
      String text;
      try {
        text = Files.readString(Path.of(planPath));
      } catch (IOException | RuntimeException e) {
        throw new InvalidOptionException(OptionSpec.PREFIX + "plan", OptionSpec.PREFIX + "plan names " + planPath
            + ", which cannot be read (" + e.getMessage() + ")");
      }
      plan = readPlan(text, planPath);
    }
    // an adapter saved before lora_scale / full_lr existed holds a selection without them: it trained with
    // lora_alpha / r and one rate, so it loads that way whatever the defaults are now
    boolean legacy = !v.text("selection").isEmpty() && !options.containsKey("lora_scale");
    double loraScale = legacy ? 0 : v.decimal("lora_scale");
    double fullLr = legacy && !options.containsKey("full_lr") ? 1 : v.decimal("full_lr");
    return new AutoConfig(budget, v.integers("ranks"), v.decimal("lora_alpha"), loraScale, fullLr,
        v.integer("sample"), v.integer("head_steps"), planPath, plan, head);
  }

  private static AutoPlan readPlan(String text, String source) {
    try {
      return AutoPlan.fromJson(text, source);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(source.startsWith(OptionSpec.PREFIX) ? source : OptionSpec.PREFIX + "plan",
          e.getMessage());
    }
  }

  /** The options that rebuild this configuration, the plan included as {@code selection} (what an adapter stores). */
  public Map<String, String> options() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("budget", budget.text());
    out.put("ranks", ranks.stream().map(String::valueOf).collect(Collectors.joining(",")));
    out.put("lora_alpha", Double.toString(loraAlpha));
    out.put("lora_scale", Double.toString(loraScale));
    out.put("full_lr", Double.toString(fullLr));
    out.put("sample", Integer.toString(sample));
    out.put("head_steps", Integer.toString(headSteps));
    if (plan != null) {
      out.put("selection", plan.toJson());
    }
    return out;
  }
}
