package org.sparkpeft.models.peft.adapter;

import java.util.Map;
import java.util.Set;

import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.OptionSpec;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftOptions;

/**
 * Houlsby bottleneck adapters (Houlsby et al. 2019): in every targeted block, one adapter after the attention
 * output projection and one after the FFN output projection, each before its residual + LayerNorm:
 * {@code h + up(act(down(h)))}. Down is small random (N(0, 0.01²)) and up is zero, so with the residual a new
 * adapter is the identity and the adapted model starts equal to the base ({@code residual = false} replaces
 * {@code h} by the bottleneck's output and is not the identity at start).
 *
 * @param size bottleneck width (>= 1)
 * @param activation the bottleneck's non-linearity
 * @param residual whether the adapter adds its input to its output
 * @param layers block indices that get adapters; empty = every block
 * @param head the classification head trained alongside
 */
public record AdapterConfig(int size, AdapterActivation activation, boolean residual, Set<Integer> layers,
                            HeadConfig head) implements PeftConfig {

  public static final String TYPE = "adapter";

  public AdapterConfig {
    if (size < 1) {
      throw new IllegalArgumentException("adapter option size must be >= 1, got " + size);
    }
    if (activation == null) {
      throw new IllegalArgumentException("adapter option activation is required");
    }
    layers = PeftOptions.checkedLayers(layers, "adapter");
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The adapter's options. */
  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE,
      OptionSpec.integer("size", 64, 1, "bottleneck width"),
      OptionSpec.choice("activation", "relu",
          java.util.Arrays.stream(AdapterActivation.values()).map(AdapterActivation::configName).toList(),
          "the bottleneck's non-linearity"),
      OptionSpec.bool("residual", true, "whether the adapter adds its input to its output"),
      OptionSpec.integers("layers_to_transform", 0, "block indices that get adapters; empty = every block"));

  /**
   * Options {@code size} (default 64), {@code activation} (relu|gelu|tanh, default relu), {@code residual}
   * (default true), {@code layers_to_transform} (default every block), as {@link #OPTIONS} declares them.
   *
   * @throws org.sparkpeft.models.peft.InvalidOptionException for an undeclared option or a refused value
   */
  public static AdapterConfig parse(Map<String, String> options, HeadConfig head) {
    MethodOptions.Values v = OPTIONS.read(options);
    return new AdapterConfig(v.integer("size"), AdapterActivation.fromConfigName(v.choice("activation")),
        v.bool("residual"), v.integers("layers_to_transform"), head);
  }
}
