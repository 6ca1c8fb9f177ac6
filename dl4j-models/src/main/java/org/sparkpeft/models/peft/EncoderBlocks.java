package org.sparkpeft.models.peft;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/** The transformer blocks of an encoder configuration, found by structure (layer type and block index). */
public final class EncoderBlocks {

  private EncoderBlocks() {}

  /** Vertex name → block configuration, in graph order. */
  public static Map<String, TransformerBlockConf> of(ComputationGraphConfiguration encoder) {
    Map<String, TransformerBlockConf> blocks = new LinkedHashMap<>();
    for (Map.Entry<String, GraphVertex> e : encoder.getVertices().entrySet()) {
      if (e.getValue() instanceof LayerVertex vertex
          && vertex.getLayerConf().getLayer() instanceof TransformerBlockConf block) {
        blocks.put(e.getKey(), block);
      }
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("the encoder has no transformer blocks");
    }
    return blocks;
  }

  /**
   * The blocks {@code layers} selects (empty = all); a requested index that is not a block is an
   * IllegalArgumentException naming {@code option} of {@code method}.
   */
  public static Map<String, TransformerBlockConf> selected(ComputationGraphConfiguration encoder, Set<Integer> layers,
                                                           String method) {
    Map<String, TransformerBlockConf> out = new LinkedHashMap<>();
    Set<Integer> missing = new LinkedHashSet<>(layers);
    of(encoder).forEach((name, block) -> {
      if (layers.isEmpty() || layers.contains(block.getBlockIndex())) {
        out.put(name, block);
        missing.remove(block.getBlockIndex());
      }
    });
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(method + " layers_to_transform " + missing + " are not blocks of this encoder ("
          + of(encoder).size() + " blocks)");
    }
    return out;
  }
}
