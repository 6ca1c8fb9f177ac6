package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.TinyBert;

/**
 * {@link ReusedActivations#output}: the same outputs as {@link ComputationGraph#output}, outputs a caller keeps stay
 * valid across later passes (of other shapes, and training passes), intermediate activations do go into the layers'
 * reused buffers, and a graph whose output is a block's activation runs without them.
 */
class ReusedActivationsTest {

  private static final int VOCAB = TinyBert.CONFIG.vocab();

  @Test
  void reusedPassesComputeWhatPlainPassesComputeAndKeptOutputsStayValid() {
    ComputationGraph graph = TinyBert.classifier(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT, 2);
    ComputationGraph plain = graph.clone();
    INDArray ids = TinyBert.ids(DataType.FLOAT, 1, 3, 8, VOCAB);
    INDArray mask = TinyBert.mask(DataType.FLOAT, 8, 8, 6, 3);
    INDArray first = ReusedActivations.output(graph, new INDArray[] {ids}, new INDArray[] {mask})[0];
    INDArray kept = first.dup();
    INDArray otherIds = TinyBert.ids(DataType.FLOAT, 2, 4, 6, VOCAB);
    INDArray other = ReusedActivations.output(graph, new INDArray[] {otherIds}, null)[0];
    graph.setInputs(TinyBert.ids(DataType.FLOAT, 3, 2, 5, VOCAB));
    graph.setLabels(TinyBert.oneHot(DataType.FLOAT, 2, 1, 0));
    graph.computeGradientAndScore(); // a training pass in between, into the same buffers
    INDArray again = ReusedActivations.output(graph, new INDArray[] {ids}, new INDArray[] {mask})[0];

    assertEquals(kept, first, "a later pass overwrote an output the caller kept");
    assertEquals(plain.output(false, new INDArray[] {ids}, new INDArray[] {mask})[0], first);
    assertEquals(plain.output(false, new INDArray[] {otherIds}, null)[0], other);
    assertEquals(kept, again);
    assertFalse(first.sub(other.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3))).amaxNumber()
        .doubleValue() == 0, "different inputs gave the same probabilities: the comparison above proves nothing");
  }

  @Test
  void intermediateActivationsGoIntoReusedBuffersOnlyInsideTheScope() {
    ComputationGraph graph = TinyBert.classifier(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT, 2);
    INDArray ids = TinyBert.ids(DataType.FLOAT, 4, 2, 6, VOCAB);
    SparkpeftLayer<?> block = (SparkpeftLayer<?>) graph.getLayer(TransformerBlockConf.layerName(0));
    graph.output(false, new INDArray[] {ids}, null);
    assertFalse(block.kept.holds("handed.activation"), "a plain inference pass used the reused buffer");
    assertTrue(ReusedActivations.reusable(graph));
    ReusedActivations.output(graph, new INDArray[] {ids}, null);
    assertTrue(block.kept.holds("handed.activation"), "the block's output went into a fresh array");
  }

  @Test
  void aGraphWithABlocksActivationAmongItsOutputsRunsWithoutReusedBuffers() {
    ComputationGraph trunk = new ComputationGraph(BertGraphs.addEncoder(
        BertGraphs.baseConfiguration(DataType.FLOAT, 7).graphBuilder(), TinyBert.CONFIG, PoolingConf.Mode.MEAN)
        .setOutputs(PoolingConf.NAME, BertGraphs.lastBlock(TinyBert.CONFIG)).build());
    trunk.init();
    assertFalse(ReusedActivations.reusable(trunk));
    INDArray ids = TinyBert.ids(DataType.FLOAT, 5, 2, 6, VOCAB);
    INDArray first = ReusedActivations.output(trunk, new INDArray[] {ids}, null)[1];
    INDArray kept = first.dup();
    ReusedActivations.output(trunk, new INDArray[] {TinyBert.ids(DataType.FLOAT, 6, 2, 6, VOCAB)}, null);
    assertEquals(kept, first, "the next pass overwrote the kept block output");
  }
}
