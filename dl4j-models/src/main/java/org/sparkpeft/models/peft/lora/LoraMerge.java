package org.sparkpeft.models.peft.lora;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/**
 * Merges LoRA into the base weights for serving ({@code W += scale A B}, after which the LoRA path is skipped)
 * and takes it out again ({@code W -= scale A B}), like PEFT's {@code merge_adapter} / {@code unmerge_adapter}.
 * Training a merged graph is refused.
 */
public final class LoraMerge {

  private LoraMerge() {}

  /** Merges every block's LoRA; returns how many projections were merged. */
  public static int merge(ComputationGraph graph) {
    return apply(graph, true);
  }

  /** Undoes {@link #merge}; returns how many projections were unmerged. */
  public static int unmerge(ComputationGraph graph) {
    return apply(graph, false);
  }

  private static int apply(ComputationGraph graph, boolean merge) {
    int count = 0;
    for (Layer layer : graph.getLayers()) {
      if (!(layer.conf().getLayer() instanceof TransformerBlockConf conf)) {
        continue;
      }
      for (LoraHook lora : conf.hooks(LoraHook.class)) {
        if (lora.merged() == merge) {
          throw new IllegalStateException(conf.getLayerName() + " is already " + (merge ? "merged" : "unmerged"));
        }
        for (DenseRole role : lora.targets()) {
          INDArray delta = layer.getParam(LoraHook.a(role)).mmul(layer.getParam(LoraHook.b(role)))
              .muli(lora.scale());
          INDArray w = layer.getParam(TransformerBlockConf.weight(role));
          if (merge) {
            w.addi(delta);
          } else {
            w.subi(delta);
          }
          count++;
        }
        conf.replaceHook(lora, lora.withMerged(merge));
      }
    }
    return count;
  }
}
