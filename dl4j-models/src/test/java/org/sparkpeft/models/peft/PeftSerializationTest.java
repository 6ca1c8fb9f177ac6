package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.adapter.AdapterActivation;
import org.sparkpeft.models.peft.adapter.AdapterConfig;
import org.sparkpeft.models.peft.ia3.Ia3Config;

/** Trained IA3 and adapter graphs round-trip through ModelSerializer: configuration, params, updater state, output. */
class PeftSerializationTest {

  @TempDir
  Path tmp;

  static Stream<PeftConfig> configs() {
    return Stream.of(new Ia3Config(EnumSet.of(DenseRole.KEY, DenseRole.OUTPUT), Set.of(1), HeadConfig.linear(3)),
        new AdapterConfig(4, AdapterActivation.TANH, false, Set.of(), HeadConfig.linear(3)));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aTrainedGraphRoundTripsThroughModelSerializer(PeftConfig config) throws Exception {
    PeftModel model = PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        config, new Optimization(new Adam(1e-2), 0.01, 5));
    INDArray ids = TinyBert.ids(DataType.FLOAT, 5, 4, 6, TinyBert.CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.FLOAT, 6, 6, 5, 3, 2);
    MultiDataSet data = new MultiDataSet(new INDArray[] {ids},
        new INDArray[] {TinyBert.oneHot(DataType.FLOAT, 3, 0, 1, 2, 1)}, new INDArray[] {mask}, null);
    model.graph().fit(data);
    model.graph().fit(data);
    File file = tmp.resolve("model.zip").toFile();
    ModelSerializer.writeModel(model.graph(), file, true);
    ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

    assertEquals(model.graph().getConfiguration().toJson(), restored.getConfiguration().toJson());
    assertEquals(model.graph().params(), restored.params());
    assertEquals(model.graph().getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
    TransformerBlockConf block = (TransformerBlockConf) restored.getLayer("encoder.layer.1").conf().getLayer();
    if (config instanceof Ia3Config) {
      assertEquals(java.util.List.of(DenseRole.KEY, DenseRole.OUTPUT), java.util.List.copyOf(block.hooks(org.sparkpeft.models.peft.ia3.Ia3Hook.class).get(0).targets()));
      assertTrue(!block.getFrozenParams().contains("key.ia3") && block.getFrozenParams().contains("key.W"));
    } else {
      org.sparkpeft.models.peft.adapter.AdapterHook adapter =
          block.hooks(org.sparkpeft.models.peft.adapter.AdapterHook.class).get(0);
      assertEquals(4, adapter.size());
      assertEquals(AdapterActivation.TANH, adapter.activation());
      assertTrue(!adapter.residual());
    }
    INDArray[] in = {ids};
    INDArray[] masks = {mask};
    assertEquals(model.graph().output(false, in, masks)[0], restored.output(false, in, masks)[0]);
  }
}
