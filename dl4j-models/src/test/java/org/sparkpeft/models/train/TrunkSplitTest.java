package org.sparkpeft.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.bitfit.BitFitConfig;
import org.sparkpeft.models.peft.head.HeadOnlyConfig;
import org.sparkpeft.models.peft.lastn.LastNConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/**
 * Fitting {@link TrunkSplit#upper()} on the trunk's features is fitting the whole model: same losses, same trainable
 * parameters and Adam state after several AdamW steps (dropout in the head and on the LoRA path included), frozen
 * parameters untouched; batches padded wider than their rows.
 */
class TrunkSplitTest {

  static Stream<PeftConfig> methods() {
    return Stream.of(
        new HeadOnlyConfig(HeadConfig.linear(3)),
        new HeadOnlyConfig(new HeadConfig(3, 16, 0.1)),
        new LastNConfig(1, new HeadConfig(3, 8, 0.1)),
        new LoraConfig(2, 4, 0.1, EnumSet.allOf(DenseRole.class), Set.of(1), false, HeadConfig.linear(3)));
  }

  @ParameterizedTest
  @MethodSource("methods")
  void fittingTheUpperGraphOnTrunkFeaturesEqualsFittingTheModel(PeftConfig config) {
    PeftModel whole = model(config);
    PeftModel cut = model(config);
    TrunkSplit split = TrunkSplit.of(cut);
    assertNotNull(split, config.type() + " has a frozen trunk");
    split.syncCounters();
    float[] frozenBefore = frozen(cut);
    List<Double> wholeLosses = new ArrayList<>();
    List<Double> cutLosses = new ArrayList<>();
    for (int step = 0; step < 6; step++) {
      INDArray ids = TinyBert.ids(DataType.FLOAT, 20 + step, 4, 7, TinyBert.CONFIG.vocab());
      INDArray mask = TinyBert.mask(DataType.FLOAT, 7, 6, 4, 5, 2);
      INDArray labels = TinyBert.oneHot(DataType.FLOAT, 3, step % 3, 1, 2, (step + 1) % 3);
      Nd4j.getRandom().setSeed(100 + step);
      whole.graph().fit(new MultiDataSet(new INDArray[] {ids}, new INDArray[] {labels}, new INDArray[] {mask}, null));
      wholeLosses.add(whole.graph().score());
      Nd4j.getRandom().setSeed(100 + step);
      split.upper().fit(TrunkSplit.upperData(split.features(ids, mask), mask, labels));
      cutLosses.add(split.upper().score());
    }
    for (int i = 0; i < wholeLosses.size(); i++) {
      assertEquals(wholeLosses.get(i), cutLosses.get(i), 1e-5, "loss of step " + i);
    }
    assertTrue(Math.abs(wholeLosses.get(0) - wholeLosses.get(5)) > 1e-4, "the model must train");
    INDArray a = whole.graph().params();
    INDArray b = cut.graph().params();
    assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-5, "params differ by " + a.sub(b).amaxNumber());
    INDArray ua = whole.graph().getUpdater(true).getStateViewArray();
    INDArray ub = cut.graph().getUpdater(true).getStateViewArray();
    assertTrue(ua.sub(ub).amaxNumber().doubleValue() < 1e-5, "Adam state differs by " + ua.sub(ub).amaxNumber());
    assertTrue(java.util.Arrays.equals(frozenBefore, frozen(cut)), "frozen parameters changed");
    assertEquals(6, split.upper().getConfiguration().getIterationCount());
  }

  @Test
  void theTrunkEndsBelowTheFirstTrainedLayer() {
    TrunkSplit head = TrunkSplit.of(model(new HeadOnlyConfig(HeadConfig.linear(3))));
    assertEquals(TinyBert.CONFIG.layers() + 2, head.trunkLayers(), "embeddings, blocks and pooling");
    INDArray mask = TinyBert.mask(DataType.FLOAT, 5, 5, 3);
    assertTrue(!head.sequenceOutput());
    assertEquals(TinyBert.CONFIG.layers(), head.trunkBlocks());
    assertEquals(2, head.features(TinyBert.ids(DataType.FLOAT, 1, 2, 5, TinyBert.CONFIG.vocab()), mask).rank());
    TrunkSplit last = TrunkSplit.of(model(new LastNConfig(1, HeadConfig.linear(3))));
    assertEquals(2, last.trunkLayers(), "embeddings and block 0");
    assertEquals("encoder.layer.1", last.firstTrainedLayer());
    assertTrue(last.sequenceOutput());
    assertEquals(1, last.trunkBlocks());
    assertEquals(0, TrunkSplit.of(model(LoraConfig.of(4, 8, EnumSet.of(DenseRole.QUERY), HeadConfig.linear(3))))
        .trunkBlocks(), "LoRA on every block: the trunk is the embeddings");
    assertEquals(3, last.features(TinyBert.ids(DataType.FLOAT, 1, 2, 5, TinyBert.CONFIG.vocab()), mask).rank());
    assertNotEquals(head.trunkDigest(), last.trunkDigest());
    assertEquals(last.trunkDigest(), TrunkSplit.of(model(new LastNConfig(1, HeadConfig.linear(2)))).trunkDigest());
    // BitFit trains the embeddings' biases: nothing is frozen below its first trained layer
    assertNull(TrunkSplit.of(model(new BitFitConfig(HeadConfig.linear(3)))));
  }

  /** The cache keeps each batch's features: a later batch must not overwrite them (the last trunk layer's are fresh). */
  @ParameterizedTest
  @MethodSource("methods")
  void featuresStayValidAfterLaterBatches(PeftConfig config) {
    TrunkSplit split = TrunkSplit.of(model(config));
    INDArray mask = TinyBert.mask(DataType.FLOAT, 6, 6, 4, 5);
    INDArray first = split.features(TinyBert.ids(DataType.FLOAT, 31, 3, 6, TinyBert.CONFIG.vocab()), mask);
    INDArray kept = first.dup();
    INDArray second = split.features(TinyBert.ids(DataType.FLOAT, 32, 3, 6, TinyBert.CONFIG.vocab()), mask);
    assertTrue(kept.sub(second).amaxNumber().doubleValue() > 1e-4, "different batches, different features");
    assertEquals(kept, first, "the next batch overwrote the features kept from the first");
  }

  private static PeftModel model(PeftConfig config) {
    return PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT), config,
        new Optimization(new Adam(1e-2), 0.01, 7));
  }

  private static float[] frozen(PeftModel model) {
    List<Float> out = new ArrayList<>();
    model.graph().paramTable().forEach((key, value) -> {
      if (!model.trainableParams().contains(key)) {
        for (float f : value.dup().data().asFloat()) {
          out.add(f);
        }
      }
    });
    float[] values = new float[out.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = out.get(i);
    }
    return values;
  }
}
