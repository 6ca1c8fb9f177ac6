package org.sparkpeft.models.peft.lora;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.OptionSpec;
import org.sparkpeft.models.peft.PeftConfig;

/**
 * LoRA (Hu et al. 2021) as Hugging Face PEFT configures it: {@code W x + b + scale B A x} on the targeted dense
 * projections, A Kaiming-uniform and B zero (so the adapted model starts equal to the base).
 *
 * @param r rank (>= 1)
 * @param alpha {@code lora_alpha}; scale = alpha / r, or alpha / sqrt(r) with {@code useRslora}
 * @param dropout {@code lora_dropout} on the LoRA path's input, in [0, 1)
 * @param targetModules the roles that get LoRA (non-empty)
 * @param layers block indices that get LoRA; empty = every block
 * @param useRslora rank-stabilised scaling
 * @param head the classification head trained alongside
 */
public record LoraConfig(int r, double alpha, double dropout, Set<DenseRole> targetModules, Set<Integer> layers,
                         boolean useRslora, HeadConfig head) implements PeftConfig {

  public static final String TYPE = "lora";
  /** PEFT's shorthand for every dense projection. */
  public static final String ALL_LINEAR = "all_linear";

  public LoraConfig {
    if (r < 1) {
      throw new IllegalArgumentException("LoRA r must be >= 1, got " + r);
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("lora_alpha must be a positive number, got " + alpha);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
    }
    if (targetModules == null || targetModules.isEmpty()) {
      throw new IllegalArgumentException("LoRA needs at least one target module");
    }
    targetModules = java.util.Collections.unmodifiableSet(EnumSet.copyOf(targetModules));
    if (layers == null) {
      throw new IllegalArgumentException("layers must be given (empty = every block)");
    }
    for (int layer : layers) {
      if (layer < 0) {
        throw new IllegalArgumentException("LoRA layer indices must be >= 0, got " + layer);
      }
    }
    layers = java.util.Collections.unmodifiableSet(new TreeSet<>(layers));
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  /** LoRA on every block, no dropout, classic scaling. */
  public static LoraConfig of(int r, double alpha, Set<DenseRole> targets, HeadConfig head) {
    return new LoraConfig(r, alpha, 0.0, targets, Set.of(), false, head);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The factor of B A: alpha / r, or alpha / sqrt(r) with rsLoRA. */
  public double scale() {
    return useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  /** Whether block {@code index} gets LoRA. */
  public boolean targetsLayer(int index) {
    return layers.isEmpty() || layers.contains(index);
  }

  /** Roles from config names ("query", "value", ...) or {@value #ALL_LINEAR}. */
  public static Set<DenseRole> targets(List<String> names) {
    if (names.size() == 1 && ALL_LINEAR.equals(names.get(0).trim())) {
      return EnumSet.allOf(DenseRole.class);
    }
    Set<DenseRole> roles = EnumSet.noneOf(DenseRole.class);
    for (String name : names) {
      roles.add(DenseRole.fromConfigName(name.trim()));
    }
    return roles;
  }

  /** Hugging Face PEFT's LoRA fields and defaults (the job's defaults differ: train-defaults.conf). */
  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE,
      OptionSpec.integer("r", 8, 1, "rank of A [in, r] and B [r, out]"),
      OptionSpec.decimal("lora_alpha", 8, OptionSpec.Range.above(0), "scale = lora_alpha / r (/ sqrt(r) with use_rslora)"),
      OptionSpec.decimal("lora_dropout", 0, OptionSpec.Range.closedOpen(0, 1), "dropout on the LoRA path's input"),
      OptionSpec.choices("target_modules", "query,value", DenseRole.configNames(), ALL_LINEAR,
          "the dense projections that get LoRA"),
      OptionSpec.integers("layers_to_transform", 0, "block indices that get LoRA; empty = every block"),
      OptionSpec.bool("use_rslora", false, "rank-stabilised scaling lora_alpha / sqrt(r)"));

  /**
   * From PEFT field names, as {@link #OPTIONS} declares them: {@code r} (8), {@code lora_alpha} (8),
   * {@code lora_dropout} (0), {@code target_modules} (comma-separated, default "query,value"),
   * {@code layers_to_transform} (comma-separated, default all), {@code use_rslora} (false).
   *
   * @throws org.sparkpeft.models.peft.InvalidOptionException for an undeclared option or a refused value
   */
  public static LoraConfig parse(Map<String, String> options, HeadConfig head) {
    MethodOptions.Values v = OPTIONS.read(options);
    return new LoraConfig(v.integer("r"), v.decimal("lora_alpha"), v.decimal("lora_dropout"),
        targets(v.choices("target_modules")), v.integers("layers_to_transform"), v.bool("use_rslora"), head);
  }
}
