package org.sparkpeft.job.predict;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TrunkSplit;

/**
 * Several adapters' models on one base, run so that the frozen layers below the lowest adapted one run once per
 * batch: the models must be the same chain of layers (embeddings, encoder blocks, pooling, head) with the base's
 * weights below the first layer any adapter trains; the trunk's output is then fed to each model's remaining layers.
 * The result equals each model's own forward pass (the same layers on the same inputs).
 */
final class SharedTrunk {

  private final List<PeftModel> models;
  private final List<String> chain;
  private final int trunk;

  private SharedTrunk(List<PeftModel> models, List<String> chain, int trunk) {
    this.models = models;
    this.chain = chain;
    this.trunk = trunk;
  }

  /** The shared plan for {@code models}, or null when they do not share a trunk (then score each alone). */
  static SharedTrunk of(List<PeftModel> models) {
    if (models.size() < 2) {
      return null;
    }
    List<String> chain = TrunkSplit.chain(models.get(0).graph());
    if (chain == null) {
      return null;
    }
    int trunk = chain.size();
    for (PeftModel model : models) {
      if (!chain.equals(TrunkSplit.chain(model.graph()))) {
        return null;
      }
      for (int i = 0; i < trunk; i++) {
        String prefix = chain.get(i) + "_";
        if (model.trainableParams().stream().anyMatch(p -> p.startsWith(prefix))) {
          trunk = i;
          break;
        }
      }
    }
    return trunk == 0 ? null : new SharedTrunk(models, chain, trunk);
  }

  /** Layers shared below the first adapted one (for the log and the bench). */
  int sharedLayers() {
    return trunk;
  }

  /** Each model's class probabilities for one padded batch ({@code ids}, {@code mask}), in model order. */
  List<INDArray> output(INDArray ids, INDArray mask) {
    ComputationGraph first = models.get(0).graph();
    INDArray shared;
    first.setLayerMaskArrays(new INDArray[] {mask}, null);
    try {
      shared = forward(first, 0, trunk, ids);
    } finally {
      first.clearLayerMaskArrays();
    }
    List<INDArray> out = new ArrayList<>(models.size());
    for (PeftModel model : models) {
      ComputationGraph graph = model.graph();
      graph.setLayerMaskArrays(new INDArray[] {mask}, null);
      try {
        out.add(forward(graph, trunk, chain.size(), shared.dup()));
      } finally {
        graph.clearLayerMaskArrays();
      }
    }
    return out;
  }

  private INDArray forward(ComputationGraph graph, int from, int to, INDArray input) {
    return TrunkSplit.infer(graph, chain, from, to, input);
  }
}
