package org.sparkpeft.models.peft.lastn;

import java.util.Map;

import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.OptionSpec;

/**
 * Partial fine-tuning: every parameter of the top {@code n} encoder blocks (dense weights and biases, both
 * LayerNorms) trains, with the head; embeddings and lower blocks stay frozen.
 *
 * @param n how many of the top blocks train (>= 1; at most the encoder's block count, checked when applied)
 * @param head the classification head trained alongside
 */
public record LastNConfig(int n, HeadConfig head) implements PeftConfig {

  public static final String TYPE = "last_n";

  public LastNConfig {
    if (n < 1) {
      throw new IllegalArgumentException("last_n option n must be >= 1, got " + n);
    }
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The one option, {@code n}. */
  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE,
      OptionSpec.integer("n", 2, 1, "how many of the top encoder blocks train"));

  /**
   * Option {@code n} (default 2), as {@link #OPTIONS} declares it.
   *
   * @throws org.sparkpeft.models.peft.InvalidOptionException for an undeclared option or a refused value
   */
  public static LastNConfig parse(Map<String, String> options, HeadConfig head) {
    return new LastNConfig(OPTIONS.read(options).integer("n"), head);
  }
}
