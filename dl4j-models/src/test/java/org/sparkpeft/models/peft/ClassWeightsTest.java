package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.head.HeadOnlyConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/** Class-weighted cross-entropy and the head's own updater, as the training computes them. */
class ClassWeightsTest {

  private static final int[] LABELS = {0, 1, 2, 1, 0};

  private static MultiDataSet batch() {
    INDArray ids = TinyBert.ids(DataType.FLOAT, 11, LABELS.length, 6, TinyBert.CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.FLOAT, 6, 6, 5, 3, 2, 4);
    return new MultiDataSet(new INDArray[] {ids}, new INDArray[] {TinyBert.oneHot(DataType.FLOAT, 3, LABELS)},
        new INDArray[] {mask}, null);
  }

  private static ComputationGraph headOnly(List<Double> weights) {
    return PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        new HeadOnlyConfig(HeadConfig.linear(3)), new Optimization(new NoOp(), 0, 3, null, weights)).graph();
  }

  /** -(1/N) sum_i w[y_i] ln p_i[y_i], from the network's own probabilities. */
  private static double byHand(ComputationGraph graph, MultiDataSet data, double[] w) {
    INDArray p = graph.output(false, data.getFeatures(), data.getFeaturesMaskArrays())[0];
    double sum = 0;
    for (int i = 0; i < LABELS.length; i++) {
      sum -= w[LABELS[i]] * Math.log(p.getDouble(i, LABELS[i]));
    }
    return sum / LABELS.length;
  }

  @Test
  void theWeightedLossIsTheWeightedMeanOfEachRowsCrossEntropy() {
    MultiDataSet data = batch();
    ComputationGraph plain = headOnly(List.of());
    ComputationGraph weighted = headOnly(List.of(0.5, 1.0, 2.5));
    assertEquals(plain.params(), weighted.params()); // same seed: the same head, only the loss differs

    double unweighted = byHand(plain, data, new double[] {1, 1, 1});
    double expected = byHand(weighted, data, new double[] {0.5, 1.0, 2.5});
    assertEquals(unweighted, plain.score(data, false), 1e-5);
    assertEquals(expected, weighted.score(data, false), 1e-5);
    assertFalse(Math.abs(expected - unweighted) < 1e-3, "the weights must change the loss on this batch");
  }

  @Test
  void classWeightsNeedOnePositiveValuePerLabel() {
    assertThrows(IllegalArgumentException.class, () -> headOnly(List.of(1.0, 2.0)));
    assertThrows(IllegalArgumentException.class, () -> new Optimization(new NoOp(), 0, 3, null, List.of(1.0, 0.0)));
  }

  @Test
  void theHeadHasItsOwnUpdaterAndTheEncoderKeepsItsOwn() {
    PeftModel model = PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        new LoraConfig(2, 4, 0, EnumSet.of(DenseRole.QUERY), Set.of(1), false, HeadConfig.linear(3)),
        new Optimization(new Sgd(0.0), 0, 3, new Sgd(0.5), List.of()));
    ComputationGraph graph = model.graph();
    assertInstanceOf(Sgd.class, ((BaseLayer) graph.getLayer(HeadConfig.OUTPUT).conf().getLayer()).getIUpdater());
    // LoRA's B starts at zero, so give it a value that a zero learning rate must keep
    graph.getLayer("encoder.layer.1").getParam("query.loraB").assign(0.25);
    INDArray headBefore = graph.getLayer(HeadConfig.OUTPUT).getParam("W").dup();
    graph.fit(batch());
    assertEquals(0.25, graph.getLayer("encoder.layer.1").getParam("query.loraB").meanNumber().doubleValue(), 0);
    assertFalse(headBefore.equalsWithEps(graph.getLayer(HeadConfig.OUTPUT).getParam("W"), 1e-6));
  }
}
