package org.sparkpeft.models.bert;

import java.io.Serializable;

/**
 * Shape of a BERT-family encoder, inferred from the imported weights and graph (never assumed).
 *
 * @param layers encoder blocks
 * @param hidden hidden size
 * @param heads attention heads (hidden must divide by it)
 * @param intermediate feed-forward size
 * @param vocab word-piece vocabulary size
 * @param maxPositions learned position embeddings
 * @param typeVocab token-type embeddings (0 when the model has none)
 * @param layerNormEps LayerNorm epsilon
 * @param activation feed-forward activation
 */
public record BertConfig(int layers, int hidden, int heads, int intermediate, int vocab, int maxPositions,
                         int typeVocab, double layerNormEps, Activation activation) implements Serializable {

  /** Feed-forward activations of BERT-family models. */
  public enum Activation {
    /** 0.5 x (1 + erf(x / sqrt 2)), as in BERT and MiniLM. */
    GELU_ERF,
    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    GELU_TANH
  }

  public BertConfig {
    positive("layers", layers);
    positive("hidden", hidden);
    positive("heads", heads);
    positive("intermediate", intermediate);
    positive("vocab", vocab);
    positive("maxPositions", maxPositions);
    if (typeVocab < 0) {
      throw new IllegalArgumentException("typeVocab must be >= 0, got " + typeVocab);
    }
    if (hidden % heads != 0) {
      throw new IllegalArgumentException("hidden " + hidden + " is not divisible by heads " + heads);
    }
    if (!(layerNormEps > 0)) {
      throw new IllegalArgumentException("layerNormEps must be > 0, got " + layerNormEps);
    }
    if (activation == null) {
      throw new IllegalArgumentException("activation is required");
    }
  }

  public int headSize() {
    return hidden / heads;
  }

  /** Parameters of the encoder (embeddings + blocks), without any head. */
  public long parameterCount() {
    long embeddings = (long) (vocab + maxPositions + typeVocab) * hidden + 2L * hidden;
    long block = 4L * (hidden * (long) hidden + hidden) + 2L * hidden * (long) intermediate + intermediate + hidden
        + 4L * hidden;
    return embeddings + layers * block;
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }
}
