package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.adapter.AdapterActivation;
import org.sparkpeft.models.peft.adapter.AdapterConfig;
import org.sparkpeft.models.peft.bitfit.BitFitConfig;
import org.sparkpeft.models.peft.head.HeadOnlyConfig;
import org.sparkpeft.models.peft.ia3.Ia3Config;
import org.sparkpeft.models.peft.lastn.LastNConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/**
 * Exact freezing under AdamW (Adam + decoupled weight decay), for every registered method: after 5 steps every
 * frozen parameter is bit-identical, every trainable one has changed, and only trainable parameters carry updater
 * state. (On the real MiniLM for head and LoRA: {@link MiniLmMethodsTest}.)
 */
class FreezingTest {

  static Stream<PeftConfig> methods() {
    return Stream.of(
        new HeadOnlyConfig(HeadConfig.linear(3)),
        new HeadOnlyConfig(new HeadConfig(3, 16, 0.1)),
        new LastNConfig(1, HeadConfig.linear(3)),
        new LastNConfig(2, new HeadConfig(3, 8, 0.1)),
        new BitFitConfig(HeadConfig.linear(3)),
        LoraConfig.of(4, 8, EnumSet.of(DenseRole.QUERY, DenseRole.VALUE), HeadConfig.linear(3)),
        new LoraConfig(2, 4, 0.1, EnumSet.allOf(DenseRole.class), Set.of(1), true, new HeadConfig(3, 8, 0.1)),
        Ia3Config.parse(Map.of(), HeadConfig.linear(3)),
        new Ia3Config(EnumSet.allOf(DenseRole.class), Set.of(0), HeadConfig.linear(3)),
        AdapterConfig.parse(Map.of("size", "4"), HeadConfig.linear(3)),
        new AdapterConfig(3, AdapterActivation.GELU, false, Set.of(1), HeadConfig.linear(3)),
        autoConfig());
  }

  /** auto with a plan selected on the tiny BERT (LoRA of several ranks, full biases and LayerNorms). */
  private static PeftConfig autoConfig() {
    org.sparkpeft.models.peft.auto.AutoConfig config = org.sparkpeft.models.peft.auto.AutoConfig.parse(
        Map.of("budget", "15%", "head_steps", "5"), HeadConfig.linear(3));
    return config.withPlan(org.sparkpeft.models.peft.auto.AutoSelection.select(
        TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT), config,
        org.sparkpeft.models.peft.auto.TaskBatches.of(1, 2, 6), Optimization.adamW(1e-2, 0)));
  }

  @org.junit.jupiter.api.Test
  void theMatrixCoversEveryRegisteredMethod() {
    assertEquals(PeftMethods.types(), methods().map(PeftConfig::type).collect(java.util.stream.Collectors.toSet()));
  }

  @ParameterizedTest
  @MethodSource("methods")
  void frozenParametersStayBitIdenticalAndTrainableOnesMove(PeftConfig config) {
    PeftModel model = PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        config, new Optimization(new Adam(1e-2), 0.01, 7));
    Map<String, float[]> before = snapshot(model);
    INDArray ids = TinyBert.ids(DataType.FLOAT, 5, 4, 6, TinyBert.CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.FLOAT, 6, 6, 5, 3, 2);
    INDArray labels = TinyBert.oneHot(DataType.FLOAT, 3, 0, 1, 2, 1);
    MultiDataSet data = new MultiDataSet(new INDArray[] {ids}, new INDArray[] {labels}, new INDArray[] {mask}, null);
    for (int step = 0; step < 5; step++) {
      model.graph().fit(data);
    }
    Map<String, float[]> after = snapshot(model);
    int frozen = 0;
    for (String key : before.keySet()) {
      if (model.trainableParams().contains(key)) {
        assertFalse(Arrays.equals(before.get(key), after.get(key)), key + " is trainable but did not change");
      } else {
        frozen++;
        assertTrue(Arrays.equals(before.get(key), after.get(key)), key + " is frozen but changed");
      }
    }
    assertEquals(model.graph().paramTable().size() - model.trainableParams().size(), frozen);
    assertTrue(frozen >= 4, "most of the encoder is frozen, got " + frozen + " frozen arrays");
    // Adam keeps two values (m, v) per trainable parameter and nothing for frozen ones
    assertEquals(2 * model.trainableCount(), model.graph().getUpdater().getStateViewArray().length());
  }

  /** Skipping the backward pass of frozen blocks with nothing trainable upstream changes no gradient. */
  @ParameterizedTest
  @MethodSource("skipping")
  void skippedBackwardPassesLeaveTheTrainableGradientsUnchanged(PeftConfig config, int skipped) {
    PeftModel model = PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        config, new Optimization(new Adam(1e-2), 0.01, 7));
    org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(4);
    model.graph().paramTable().forEach((key, value) -> {
      // B = 0 (an adapter's up-projection = 0) would leave A (the down-projection) without gradient
      if (model.trainableParams().contains(key) && value.amaxNumber().doubleValue() == 0) {
        value.assign(org.nd4j.linalg.factory.Nd4j.randn(value.dataType(), value.shape()).muli(0.1));
      }
    });
    Map<String, INDArray> fast = gradients(model);
    int skipping = 0;
    for (org.deeplearning4j.nn.api.Layer layer : model.graph().getLayers()) {
      if (layer.conf().getLayer() instanceof org.sparkpeft.models.bert.layers.SparkpeftLayerConf conf) {
        skipping += conf.skipsBackprop() && conf instanceof org.sparkpeft.models.bert.layers.TransformerBlockConf ? 1 : 0;
        conf.setUpstreamFrozen(false);
      }
    }
    assertEquals(skipped, skipping);
    Map<String, INDArray> full = gradients(model);
    for (String key : model.trainableParams()) {
      INDArray a = fast.get(key);
      INDArray b = full.get(key);
      assertTrue(a.amaxNumber().doubleValue() > 0, key + " has a gradient");
      assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), 1e-6 * b.amaxNumber().doubleValue(), key);
    }
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> skipping() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of(new HeadOnlyConfig(HeadConfig.linear(3)), 2),
        org.junit.jupiter.params.provider.Arguments.of(new LoraConfig(2, 4, 0, EnumSet.of(DenseRole.VALUE), Set.of(1),
            false, HeadConfig.linear(3)), 1),
        org.junit.jupiter.params.provider.Arguments.of(LoraConfig.of(2, 4, EnumSet.of(DenseRole.QUERY),
            HeadConfig.linear(3)), 0),
        // the blocks just above the frozen embeddings compute no input gradient: their projections' own
        // gradients (key and value trained; IA3 also scaling the FFN's input; adapters after two projections)
        org.junit.jupiter.params.provider.Arguments.of(LoraConfig.of(2, 4,
            EnumSet.of(DenseRole.QUERY, DenseRole.KEY, DenseRole.VALUE), HeadConfig.linear(3)), 0),
        org.junit.jupiter.params.provider.Arguments.of(new org.sparkpeft.models.peft.ia3.Ia3Config(
            EnumSet.allOf(DenseRole.class), Set.of(), HeadConfig.linear(3)), 0),
        org.junit.jupiter.params.provider.Arguments.of(new org.sparkpeft.models.peft.adapter.AdapterConfig(3,
            org.sparkpeft.models.peft.adapter.AdapterActivation.GELU, true, Set.of(), HeadConfig.linear(3)), 0));
  }

  private static Map<String, INDArray> gradients(PeftModel model) {
    INDArray ids = TinyBert.ids(DataType.FLOAT, 5, 4, 6, TinyBert.CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.FLOAT, 6, 6, 5, 3, 2);
    model.graph().setInputs(ids);
    model.graph().setLabels(TinyBert.oneHot(DataType.FLOAT, 3, 0, 1, 2, 1));
    model.graph().setLayerMaskArrays(new INDArray[] {mask}, null);
    model.graph().computeGradientAndScore();
    model.graph().clearLayerMaskArrays();
    Map<String, INDArray> out = new LinkedHashMap<>();
    model.graph().gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }

  private static Map<String, float[]> snapshot(PeftModel model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    model.graph().paramTable().forEach((k, v) -> out.put(k, v.dup().ravel().toFloatVector()));
    return out;
  }
}
