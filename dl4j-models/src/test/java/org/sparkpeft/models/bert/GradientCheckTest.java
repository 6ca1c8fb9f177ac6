package org.sparkpeft.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.layers.PoolingConf;

/** Backprop of embeddings, blocks (attention with padding, LayerNorm, GELU) and pooling against finite differences. */
@ExtendWith(DoublePrecision.class)
class GradientCheckTest {

  @ParameterizedTest
  @EnumSource(PoolingConf.Mode.class)
  void everyParameterArraysGradientMatchesFiniteDifferences(PoolingConf.Mode pooling) {
    for (BertConfig.Activation activation : BertConfig.Activation.values()) {
      List<GradientCheck.Failure> failures = check(new BertConfig(2, 32, 4, 48, 40, 16, 2, 1e-12, activation), pooling);
      assertEquals(List.of(), failures, "pooling " + pooling + ", " + activation);
    }
  }

  @Test
  void theCheckFailsWhenTheAnalyticGradientIsWrong() {
    BertConfig config = new BertConfig(1, 16, 2, 24, 20, 8, 2, 1e-12, BertConfig.Activation.GELU_ERF);
    ComputationGraph graph = TinyBert.classifier(config, PoolingConf.Mode.MEAN, DataType.DOUBLE, 3);
    INDArray ids = TinyBert.ids(DataType.DOUBLE, 3, 2, 5, config.vocab());
    INDArray mask = TinyBert.mask(DataType.DOUBLE, 5, 5, 3);
    INDArray labels = TinyBert.oneHot(DataType.DOUBLE, 3, 0, 1);
    assertEquals(List.of(), GradientCheck.run(graph, ids, mask, labels, 3, 1e-6, 1e-4, 1e-9));
    assertTrue(GradientCheck.run(graph, ids, mask, labels, 3, 1e-6, 1e-4, 1e-9, 1.01).size() > 10,
        "a 1 % error in every gradient must be caught");
  }

  private static List<GradientCheck.Failure> check(BertConfig config, PoolingConf.Mode pooling) {
    ComputationGraph graph = TinyBert.classifier(config, pooling, DataType.DOUBLE, 3);
    int seq = 7;
    INDArray ids = TinyBert.ids(DataType.DOUBLE, 7, 3, seq, config.vocab());
    INDArray mask = TinyBert.mask(DataType.DOUBLE, seq, 7, 4, 2);
    INDArray labels = TinyBert.oneHot(DataType.DOUBLE, 3, 0, 2, 1);
    return GradientCheck.run(graph, ids, mask, labels, 6, 1e-6, 1e-4, 1e-9);
  }
}
