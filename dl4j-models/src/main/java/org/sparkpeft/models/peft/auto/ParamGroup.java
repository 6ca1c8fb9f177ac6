package org.sparkpeft.models.peft.auto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.EmbeddingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/**
 * One selectable unit of the base encoder: what {@code auto} can make trainable as a whole. Named by Hugging Face
 * module path so a plan reads like the model: {@code encoder.layer.3.attention.self.query.weight} (a dense matrix,
 * LoRA target or fully trained), {@code encoder.layer.3.attention.self.query.bias}, {@code
 * encoder.layer.3.output.LayerNorm} (gamma and beta together), {@code embeddings.LayerNorm}.
 *
 * @param id the group's name (unique in an encoder)
 * @param kind matrix, bias or LayerNorm
 * @param vertex the layer vertex holding it
 * @param params its DL4J parameter names in that layer
 * @param role the dense projection for a matrix or bias, else null
 * @param block the block index, or -1 for the embeddings
 * @param nIn rows of a matrix ([in, out]); for other kinds its size
 * @param nOut columns of a matrix; 1 for other kinds
 */
public record ParamGroup(String id, Kind kind, String vertex, List<String> params, DenseRole role, int block,
                         int nIn, int nOut) {

  /** What a group is. */
  public enum Kind {
    MATRIX, BIAS, NORM;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ParamGroup {
    params = List.copyOf(params);
    if (nIn < 1 || nOut < 1) {
      throw new IllegalArgumentException("group " + id + " needs positive sizes, got " + nIn + " x " + nOut);
    }
  }

  /** Parameters in the group: in × out for a matrix, the vector length (twice for a LayerNorm's gamma + beta). */
  public long count() {
    return kind == Kind.NORM ? 2L * nIn : (long) nIn * nOut;
  }

  /** The {@code vertex_param} keys of the group. */
  public List<String> keys() {
    return params.stream().map(p -> vertex + "_" + p).toList();
  }

  /** Whether LoRA of rank {@code r} fits this group (a matrix with both sides >= r). */
  public boolean takesRank(int r) {
    return kind == Kind.MATRIX && r >= 1 && r <= Math.min(nIn, nOut);
  }

  /** LoRA's parameter count at rank {@code r}: A [in, r] + B [r, out]. */
  public long loraCount(int r) {
    return (long) r * (nIn + nOut);
  }

  /**
   * Every selectable group of an encoder configuration (embeddings' LayerNorm first, then per block in block order:
   * each dense's matrix and bias, in {@link DenseRole} order, then the two LayerNorms), found by structure.
   */
  public static List<ParamGroup> of(ComputationGraphConfiguration conf) {
    List<ParamGroup> out = new ArrayList<>();
    List<TransformerBlockConf> blocks = new ArrayList<>();
    for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
      if (!(e.getValue() instanceof LayerVertex vertex)) {
        continue;
      }
      if (vertex.getLayerConf().getLayer() instanceof EmbeddingConf embedding) {
        out.add(new ParamGroup("embeddings.LayerNorm", Kind.NORM, e.getKey(),
            List.of(EmbeddingConf.LN_GAMMA, EmbeddingConf.LN_BETA), null, -1, embedding.getHidden(), 1));
      } else if (vertex.getLayerConf().getLayer() instanceof TransformerBlockConf block) {
        blocks.add(block);
      }
    }
    blocks.sort(java.util.Comparator.comparingInt(TransformerBlockConf::getBlockIndex));
    for (TransformerBlockConf block : blocks) {
      String vertex = block.getLayerName();
      int index = block.getBlockIndex();
      String prefix = "encoder.layer." + index + ".";
      for (DenseRole role : DenseRole.values()) {
        out.add(new ParamGroup(prefix + role.modulePath() + ".weight", Kind.MATRIX, vertex,
            List.of(TransformerBlockConf.weight(role)), role, index, block.nIn(role), block.nOut(role)));
        out.add(new ParamGroup(prefix + role.modulePath() + ".bias", Kind.BIAS, vertex,
            List.of(TransformerBlockConf.bias(role)), role, index, block.nOut(role), 1));
      }
      out.add(new ParamGroup(prefix + "attention.output.LayerNorm", Kind.NORM, vertex,
          List.of(TransformerBlockConf.ATTENTION_LN_GAMMA, TransformerBlockConf.ATTENTION_LN_BETA), null, index,
          block.getHidden(), 1));
      out.add(new ParamGroup(prefix + "output.LayerNorm", Kind.NORM, vertex,
          List.of(TransformerBlockConf.OUTPUT_LN_GAMMA, TransformerBlockConf.OUTPUT_LN_BETA), null, index,
          block.getHidden(), 1));
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("the encoder has no transformer blocks to select from");
    }
    return out;
  }
}
