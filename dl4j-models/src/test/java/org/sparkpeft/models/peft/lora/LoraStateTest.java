package org.sparkpeft.models.peft.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/** LoRA state that lives outside the math: serialisation, dropout only in training, no training while merged. */
class LoraStateTest {

  @TempDir
  Path tmp;

  private static final INDArray IDS = TinyBert.ids(DataType.FLOAT, 5, 4, 6, TinyBert.CONFIG.vocab());
  private static final INDArray MASK = TinyBert.mask(DataType.FLOAT, 6, 6, 5, 3, 2);
  private static final MultiDataSet DATA = new MultiDataSet(new INDArray[] {IDS},
      new INDArray[] {TinyBert.oneHot(DataType.FLOAT, 3, 0, 1, 2, 1)}, new INDArray[] {MASK}, null);

  private static PeftModel model(double dropout) {
    return PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        new LoraConfig(4, 8, dropout, EnumSet.of(DenseRole.QUERY, DenseRole.VALUE), Set.of(), false,
            HeadConfig.linear(3)), new Optimization(new Adam(1e-2), 0.01, 5));
  }

  @Test
  void aTrainedLoraGraphRoundTripsThroughModelSerializer() throws Exception {
    PeftModel model = model(0.0);
    model.graph().fit(DATA);
    model.graph().fit(DATA);
    File file = tmp.resolve("lora.zip").toFile();
    ModelSerializer.writeModel(model.graph(), file, true);
    ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

    assertEquals(model.graph().getConfiguration().toJson(), restored.getConfiguration().toJson());
    assertEquals(model.graph().params(), restored.params());
    assertEquals(model.graph().getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
    TransformerBlockConf block = (TransformerBlockConf) restored.getLayer("encoder.layer.1").conf().getLayer();
    LoraHook lora = block.hooks(LoraHook.class).get(0);
    assertEquals(java.util.List.of(DenseRole.QUERY, DenseRole.VALUE), java.util.List.copyOf(lora.targets()));
    assertEquals(2.0, lora.scale());
    assertTrue(block.getFrozenParams().contains("query.W") && !block.getFrozenParams().contains("query.loraB"));
    assertEquals(LoraTest.pooled(model.graph(), IDS, MASK), LoraTest.pooled(restored, IDS, MASK));
  }

  @Test
  void dropoutActsOnlyInTraining() {
    PeftModel model = model(0.5);
    LoraTest.randomizeB(model.graph(), 3);
    INDArray inference = LoraTest.pooled(model.graph(), IDS, MASK);
    for (Layer layer : model.graph().getLayers()) {
      if (layer.conf().getLayer() instanceof TransformerBlockConf conf) {
        conf.hooks(LoraHook.class).forEach(h -> conf.replaceHook(h, h.withDropout(0)));
      }
    }
    assertEquals(inference, LoraTest.pooled(model.graph(), IDS, MASK), "inference ignores LoRA dropout");
    for (Layer layer : model.graph().getLayers()) {
      if (layer.conf().getLayer() instanceof TransformerBlockConf conf) {
        conf.hooks(LoraHook.class).forEach(h -> conf.replaceHook(h, h.withDropout(0.5)));
      }
    }
    model.graph().setLayerMaskArrays(new INDArray[] {MASK}, null);
    INDArray training = model.graph().feedForward(new INDArray[] {IDS}, true).get(PoolingConf.NAME).dup();
    model.graph().clearLayerMaskArrays();
    assertNotEquals(inference, training, "training applies LoRA dropout");
  }

  @Test
  void aMergedGraphRefusesToTrain() {
    PeftModel model = model(0.0);
    LoraMerge.merge(model.graph());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.graph().fit(DATA));
    assertTrue(e.getMessage().contains("unmerge before training"), e.getMessage());
    LoraMerge.unmerge(model.graph());
    model.graph().fit(DATA);
    assertTrue(((SparkpeftLayerConf) model.graph().getLayer("embeddings").conf().getLayer()).isFrozen("word"));
  }
}
