package org.sparkpeft.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.BertWeights;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.tokenizer.DefaultModel;

class BertOnnxImporterTest {

  private static OnnxGraph graph;

  @BeforeAll
  static void readDefaultModel() throws Exception {
    try (InputStream in = BertOnnxImporterTest.class.getResourceAsStream(DefaultModel.ONNX_RESOURCE)) {
      graph = OnnxReader.read(in, "all-minilm-l6-v2.onnx");
    }
  }

  @Test
  void infersMiniLmsConfigFromShapesAndGraph() {
    BertWeights weights = BertOnnxImporter.importWeights(graph, "minilm");
    BertConfig config = weights.config();
    assertEquals(new BertConfig(6, 384, 12, 1536, 30522, 512, 2, 1e-12f, BertConfig.Activation.GELU_ERF), config);
    assertEquals(22_565_376L, config.parameterCount(), "MiniLM encoder parameters (the model card's 22.7 M adds an unused pooler)");
  }

  @Test
  void mapsEveryKernelByTracingAndAgreesWithTheBiasNames() {
    BertWeights weights = BertOnnxImporter.importWeights(graph, "minilm");
    for (int layer = 0; layer < 6; layer++) {
      BertWeights.Block block = weights.blocks().get(layer);
      for (DenseRole role : DenseRole.values()) {
        float[] bias = graph.initializers().get(role.hfModule(layer) + ".bias").floats();
        assertEquals(bias.length, block.dense(role).bias().length);
        assertEquals(bias[0], block.dense(role).bias()[0], role + " of block " + layer);
      }
      assertEquals(1536, block.dense(DenseRole.INTERMEDIATE).nOut());
      assertEquals(1536, block.dense(DenseRole.OUTPUT).nIn());
    }
  }

  @Test
  void theFingerprintIsStableAndSensitiveToEveryWeight() {
    BertWeights weights = BertOnnxImporter.importWeights(graph, "minilm");
    String fingerprint = weights.fingerprint();
    assertEquals(64, fingerprint.length());
    assertEquals(fingerprint, BertOnnxImporter.importWeights(graph, "minilm").fingerprint());
    weights.blocks().get(5).dense(DenseRole.VALUE).kernel()[7] += 1e-6f;
    assertTrue(!fingerprint.equals(weights.fingerprint()), "a changed weight must change the fingerprint");
  }

  @Test
  void aGraphWithoutABiasIsRefusedNamingWhatIsMissing() {
    Map<String, OnnxGraph.Tensor> initializers = new LinkedHashMap<>(graph.initializers());
    initializers.remove("encoder.layer.3.attention.self.key.bias");
    OnnxGraph broken = new OnnxGraph(graph.producer(), graph.opsets(), initializers, graph.nodes(), graph.inputs(),
        graph.outputs());
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> BertOnnxImporter.importWeights(broken, "broken.onnx"));
    assertEquals("broken.onnx is not a supported BERT-family ONNX export: the key projection of block 3 "
        + "(onnx::MatMul_827) has no bias", error.getMessage());
  }

  @Test
  void aGraphWithoutAttentionIsRefused() {
    List<OnnxGraph.Node> nodes = new ArrayList<>(graph.nodes());
    nodes.removeIf(n -> n.opType().equals("Softmax"));
    OnnxGraph broken = new OnnxGraph(graph.producer(), graph.opsets(), graph.initializers(), nodes, graph.inputs(),
        graph.outputs());
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> BertOnnxImporter.importWeights(broken, "no-softmax.onnx"));
    assertTrue(error.getMessage().startsWith("no-softmax.onnx is not a supported BERT-family ONNX export:"),
        error.getMessage());
  }
}
