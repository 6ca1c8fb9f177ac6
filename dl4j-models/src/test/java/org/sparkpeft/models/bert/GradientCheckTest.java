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
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.layers.PoolingConf;

/** Backprop of embeddings, blocks (attention with padding, LayerNorm, GELU) and pooling against finite differences. */
@ExtendWith({DoublePrecision.class, OneNativeThread.class})
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

  /**
   * IA3 vectors on every role (input-scaled on the FFN output, output-scaled elsewhere) and both bottleneck adapters
   * in every block, each activation and with/without the residual, everything trainable: every parameter's gradient
   * — the blocks' own, the new ones, and the embeddings', which only the blocks' input gradients reach — matches
   * finite differences. The new parameters are moved off their identity initialisation first, so that every path
   * carries gradient.
   */
  @ParameterizedTest
  @EnumSource(org.sparkpeft.models.peft.adapter.AdapterActivation.class)
  void ia3AndAdapterGradientsIncludingInputGradientsMatchFiniteDifferences(
      org.sparkpeft.models.peft.adapter.AdapterActivation activation) {
    for (boolean residual : new boolean[] {true, false}) {
      ComputationGraph graph = TinyBert.classifier(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.DOUBLE, 3,
          new org.nd4j.linalg.learning.config.NoOp(), block -> {
            block.addHook(new org.sparkpeft.models.peft.ia3.Ia3Hook(java.util.EnumSet.allOf(DenseRole.class)));
            block.addHook(new org.sparkpeft.models.peft.adapter.AdapterHook(5, activation, residual));
          });
      org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(11);
      int moved = 0;
      for (var e : graph.paramTable().entrySet()) {
        if (e.getKey().endsWith(".ia3")) {
          e.getValue().addi(org.nd4j.linalg.factory.Nd4j.randn(DataType.DOUBLE, e.getValue().shape()).muli(0.2));
          moved++;
        } else if (e.getKey().contains("Adapter.")) {
          e.getValue().addi(org.nd4j.linalg.factory.Nd4j.randn(DataType.DOUBLE, e.getValue().shape()).muli(0.3));
          moved++;
        }
      }
      assertEquals(2 * (6 + 8), moved, "2 blocks x (6 IA3 vectors + 2 adapters x 4 arrays)");
      INDArray ids = TinyBert.ids(DataType.DOUBLE, 7, 3, 7, TinyBert.CONFIG.vocab());
      INDArray mask = TinyBert.mask(DataType.DOUBLE, 7, 7, 4, 2);
      INDArray labels = TinyBert.oneHot(DataType.DOUBLE, 3, 0, 2, 1);
      assertEquals(List.of(), GradientCheck.run(graph, ids, mask, labels, 3, 1e-6, 1e-4, 1e-9),
          activation + ", residual " + residual);
    }
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
