package org.sparkpeft.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Path;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/** The custom layers survive DL4J's ModelSerializer: configuration (incl. frozen params), parameters, updater. */
class SerializationTest {

  @TempDir
  Path tmp;

  @Test
  void aTrainedGraphRoundTripsThroughModelSerializer() throws Exception {
    ComputationGraph graph = TinyBert.classifier(TinyBert.CONFIG, PoolingConf.Mode.CLS, DataType.FLOAT, 3,
        new org.nd4j.linalg.learning.config.Adam(1e-3));
    ((SparkpeftLayerConf) graph.getLayer(TransformerBlockConf.layerName(0)).conf().getLayer())
        .setFrozenParams(Set.of("query.W"));
    INDArray ids = TinyBert.ids(DataType.FLOAT, 5, 4, 6, TinyBert.CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.FLOAT, 6, 6, 5, 3, 2);
    INDArray labels = TinyBert.oneHot(DataType.FLOAT, 3, 0, 1, 2, 1);
    graph.fit(new MultiDataSet(new INDArray[] {ids}, new INDArray[] {labels}, new INDArray[] {mask}, null));

    File file = tmp.resolve("tiny.zip").toFile();
    ModelSerializer.writeModel(graph, file, true);
    ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

    assertEquals(graph.getConfiguration().toJson(), restored.getConfiguration().toJson());
    assertEquals(graph.params(), restored.params());
    INDArray state = graph.getUpdater().getStateViewArray();
    assertEquals(true, state.length() > 0 && state.amaxNumber().doubleValue() > 0, "Adam has state after a step");
    assertEquals(state, restored.getUpdater().getStateViewArray());
    assertEquals(Set.of("query.W"),
        ((SparkpeftLayerConf) restored.getLayer(TransformerBlockConf.layerName(0)).conf().getLayer()).getFrozenParams());
    graph.setLayerMaskArrays(new INDArray[] {mask}, null);
    restored.setLayerMaskArrays(new INDArray[] {mask}, null);
    assertEquals(graph.outputSingle(ids), restored.outputSingle(ids));
  }
}
