package org.sparkpeft.models.bert.layers;

import java.util.function.Supplier;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference forward passes whose intermediate activations (the embeddings' and each transformer block's output) go
 * into per-layer buffers reused from pass to pass, instead of fresh arrays: libnd4j zero-fills a fresh array and its
 * pages fault in anew, ~3 MB per block and pass at batch 32, seq 64 (tens of ms per pass on a host where a first
 * touch costs ~10 us per page). The graph's outputs stay fresh, so a caller may keep them; a graph whose output is
 * such an intermediate activation (a trunk cut at block k, whose outputs the frozen-trunk cache keeps) runs as
 * {@link ComputationGraph#output} always does.
 */
public final class ReusedActivations {

  private ReusedActivations() {}

  /** {@code graph.output(false, features, masks)}, with intermediate activations in reused buffers where safe. */
  public static INDArray[] output(ComputationGraph graph, INDArray[] features, INDArray[] masks) {
    if (!reusable(graph)) {
      return graph.output(false, features, masks);
    }
    return during(() -> graph.output(false, features, masks));
  }

  /**
   * {@code pass} with this thread's inference outputs of sparkpeft's layers (embeddings, blocks) in their reused
   * buffers: each stays valid only until the same layer's next pass, so the caller consumes every such output within
   * the pass (a layer-by-layer forward runs all but its last layer in here, {@code TrunkSplit.features}).
   */
  public static <T> T during(Supplier<T> pass) {
    boolean outer = LayerWorkspaces.REUSED_INFERENCE.get();
    LayerWorkspaces.REUSED_INFERENCE.set(true);
    try {
      return pass.get();
    } finally {
      LayerWorkspaces.REUSED_INFERENCE.set(outer);
    }
  }

  /**
   * Whether every output of {@code graph} is computed by a layer that writes a fresh array (not by a layer that hands
   * over reused buffers, nor by a vertex that could pass one through as a view).
   */
  static boolean reusable(ComputationGraph graph) {
    for (String name : graph.getConfiguration().getNetworkOutputs()) {
      GraphVertex vertex = graph.getVertex(name);
      if (!vertex.hasLayer()) {
        return false;
      }
      Layer layer = vertex.getLayer();
      while (layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop) {
        layer = layer instanceof FrozenLayer ? ((FrozenLayer) layer).getInsideLayer()
            : ((FrozenLayerWithBackprop) layer).getInsideLayer();
      }
      if (layer instanceof TransformerBlockLayer || layer instanceof EmbeddingLayer) {
        return false;
      }
    }
    return true;
  }
}
