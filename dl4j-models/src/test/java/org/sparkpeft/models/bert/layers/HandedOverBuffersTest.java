package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.TinyBert;

/**
 * The layers hand their training-mode outputs and input gradients to DL4J in buffers reused from pass to pass
 * ({@link LayerWorkspaces#handOverActivation}, {@link LayerWorkspaces#handOverGradient}): a pass after passes on
 * other shapes computes what a fresh model computes, and the buffers are in fact reused (inference outputs are not).
 */
class HandedOverBuffersTest {

  private static final int VOCAB = TinyBert.CONFIG.vocab();

  @Test
  void aPassAfterPassesOnOtherShapesEqualsAFreshModelsPass() {
    ComputationGraph reused = TinyBert.classifier(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT, 2);
    ComputationGraph fresh = reused.clone();
    pass(reused, TinyBert.ids(DataType.FLOAT, 1, 3, 8, VOCAB), TinyBert.mask(DataType.FLOAT, 8, 8, 6, 3),
        TinyBert.oneHot(DataType.FLOAT, 2, 0, 1, 1));
    pass(reused, TinyBert.ids(DataType.FLOAT, 2, 4, 6, VOCAB), null, TinyBert.oneHot(DataType.FLOAT, 2, 1, 0, 1, 0));
    INDArray ids = TinyBert.ids(DataType.FLOAT, 3, 2, 5, VOCAB);
    INDArray mask = TinyBert.mask(DataType.FLOAT, 5, 5, 2);
    INDArray labels = TinyBert.oneHot(DataType.FLOAT, 2, 1, 0);
    double scoreReused = pass(reused, ids, mask, labels);
    INDArray gradientReused = reused.gradient().gradient().dup();
    double scoreFresh = pass(fresh, ids, mask, labels);
    INDArray gradientFresh = fresh.gradient().gradient().dup();
    assertEquals(scoreFresh, scoreReused, 1e-6);
    assertTrue(gradientFresh.amaxNumber().doubleValue() > 0, "no gradient at all");
    assertEquals(0.0, gradientFresh.sub(gradientReused).amaxNumber().doubleValue(), 1e-6);
  }

  @Test
  void trainingOutputsReuseTheirBuffersAndInferenceOutputsDoNot() {
    ComputationGraph graph = TinyBert.classifier(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT, 2);
    INDArray ids = TinyBert.ids(DataType.FLOAT, 4, 2, 6, VOCAB);
    String block = TransformerBlockConf.layerName(0);
    long first = graph.feedForward(new INDArray[] {ids}, true, false).get(block).data().address();
    Map<String, INDArray> second = graph.feedForward(new INDArray[] {ids}, true, false);
    assertEquals(first, second.get(block).data().address(), "a training pass's output went into a fresh array");
    INDArray inference = graph.feedForward(new INDArray[] {ids}, false, false).get(block);
    assertNotEquals(first, inference.data().address(), "an inference output shares the training buffer");
  }

  private static double pass(ComputationGraph graph, INDArray ids, INDArray mask, INDArray labels) {
    graph.setInputs(ids);
    graph.setLabels(labels);
    graph.setLayerMaskArrays(mask == null ? null : new INDArray[] {mask}, null);
    graph.computeGradientAndScore();
    return graph.score();
  }
}
