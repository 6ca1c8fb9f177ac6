package org.sparkpeft.models.bert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Pretrained weights of a BERT-family encoder, by structure. Dense kernels are row-major [in, out] (the layout
 * of DL4J's dense W and of ONNX MatMul initializers); Hugging Face's nn.Linear stores the transpose.
 */
public record BertWeights(BertConfig config, Embeddings embeddings, List<Block> blocks) {

  /** y = x W + b with W [nIn, nOut] row-major. */
  public record Dense(int nIn, int nOut, float[] kernel, float[] bias) {
    public Dense {
      if (kernel.length != (long) nIn * nOut || bias.length != nOut) {
        throw new IllegalArgumentException("dense " + nIn + "x" + nOut + " got kernel " + kernel.length
            + " and bias " + bias.length + " values");
      }
    }
  }

  public record LayerNorm(float[] gamma, float[] beta) {}

  /** word [vocab, hidden], position [maxPositions, hidden], tokenType [typeVocab, hidden] (may be empty). */
  public record Embeddings(float[] word, float[] position, float[] tokenType, LayerNorm norm) {}

  public record Block(Map<DenseRole, Dense> dense, LayerNorm attentionNorm, LayerNorm outputNorm) {
    public Block {
      if (dense.size() != DenseRole.values().length) {
        throw new IllegalArgumentException("a block needs all six dense projections, got " + dense.keySet());
      }
      dense = new EnumMap<>(dense);
    }

    public Dense dense(DenseRole role) {
      return dense.get(role);
    }
  }

  public BertWeights {
    if (blocks.size() != config.layers()) {
      throw new IllegalArgumentException("config has " + config.layers() + " layers but " + blocks.size()
          + " blocks of weights were given");
    }
    blocks = List.copyOf(blocks);
  }

  /** sha256 (hex) over every weight in a fixed structural order: identifies the base model. */
  public String fingerprint() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      update(digest, embeddings.word());
      update(digest, embeddings.position());
      update(digest, embeddings.tokenType());
      update(digest, embeddings.norm());
      for (Block block : blocks) {
        for (DenseRole role : DenseRole.values()) {
          update(digest, block.dense(role).kernel());
          update(digest, block.dense(role).bias());
        }
        update(digest, block.attentionNorm());
        update(digest, block.outputNorm());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest digest, LayerNorm norm) {
    update(digest, norm.gamma());
    update(digest, norm.beta());
  }

  private static void update(MessageDigest digest, float[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    digest.update(buffer);
  }
}
