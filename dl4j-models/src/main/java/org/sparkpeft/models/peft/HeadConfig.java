package org.sparkpeft.models.peft;

import java.util.Map;

/**
 * The classification head on the pooled sentence vector: linear ({@code hidden} = 0: dropout → softmax layer,
 * like BERT's classifier) or one hidden layer (dropout → dense + tanh → dropout → softmax layer, like RoBERTa's
 * classification head).
 *
 * @param labels number of classes (>= 2)
 * @param hidden hidden units of the MLP head, 0 for a linear head
 * @param dropout drop probability in [0, 1) on the inputs of the head's layers
 */
public record HeadConfig(int labels, int hidden, double dropout) {

  /** Vertex name of the head's output layer (Hugging Face's module name). */
  public static final String OUTPUT = "classifier";
  /** Vertex name of the MLP head's hidden layer. */
  public static final String HIDDEN = "classifier.dense";

  public HeadConfig {
    if (labels < 2) {
      throw new IllegalArgumentException("a classification head needs >= 2 labels, got " + labels);
    }
    if (hidden < 0) {
      throw new IllegalArgumentException("head hidden size must be >= 0 (0 = linear head), got " + hidden);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("head dropout must be in [0, 1), got " + dropout);
    }
  }

  public static HeadConfig linear(int labels) {
    return new HeadConfig(labels, 0, 0.0);
  }

  /** From options {@code head_hidden} (default 0) and {@code head_dropout} (default 0). */
  public static HeadConfig parse(int labels, Map<String, String> options) {
    return new HeadConfig(labels, Integer.parseInt(options.getOrDefault("head_hidden", "0")),
        Double.parseDouble(options.getOrDefault("head_dropout", "0")));
  }
}
