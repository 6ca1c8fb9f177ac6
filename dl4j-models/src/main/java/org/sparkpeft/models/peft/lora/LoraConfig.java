package org.sparkpeft.models.peft.lora;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.HeadConfig;
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

  /**
   * From PEFT field names: {@code r} (8), {@code lora_alpha} (8), {@code lora_dropout} (0),
   * {@code target_modules} (comma-separated, default "query,value"), {@code layers_to_transform} (comma-separated,
   * default all), {@code use_rslora} (false).
   */
  public static LoraConfig parse(Map<String, String> options, HeadConfig head) {
    String layers = options.getOrDefault("layers_to_transform", "").trim();
    Set<Integer> indices = layers.isEmpty() ? Set.of()
        : Arrays.stream(layers.split(",")).map(String::trim).map(Integer::valueOf).collect(java.util.stream.Collectors.toSet());
    return new LoraConfig(Integer.parseInt(options.getOrDefault("r", "8")),
        Double.parseDouble(options.getOrDefault("lora_alpha", "8")),
        Double.parseDouble(options.getOrDefault("lora_dropout", "0")),
        targets(Arrays.asList(options.getOrDefault("target_modules", "query,value").split(","))),
        indices, Boolean.parseBoolean(options.getOrDefault("use_rslora", "false")), head);
  }
}
