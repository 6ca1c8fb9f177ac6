package org.sparkpeft.models.peft.bitfit;

import java.util.Map;

import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftConfig;

/**
 * BitFit (Ben Zaken et al. 2022): every bias term of the encoder trains, with the head. "Bias" is what each layer
 * declares ({@code isBiasParam}): the six dense biases of every block (query, key, value, attention output,
 * intermediate, output) and every LayerNorm beta (each block's two and the embeddings' one), like Hugging Face's
 * BitFit recipe, which trains all parameters named {@code bias}. LayerNorm gammas and all matrices stay frozen.
 *
 * @param head the classification head trained alongside
 */
public record BitFitConfig(HeadConfig head) implements PeftConfig {

  public static final String TYPE = "bitfit";

  public BitFitConfig {
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** No options of its own. */
  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE);

  /**
   * No options of its own: any option is refused.
   *
   * @throws org.sparkpeft.models.peft.InvalidOptionException for any option
   */
  public static BitFitConfig parse(Map<String, String> options, HeadConfig head) {
    OPTIONS.read(options);
    return new BitFitConfig(head);
  }
}
