package org.sparkpeft.models.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import onnx.Onnx;

/**
 * Reads an ONNX model with the protobuf classes that ship inside nd4j-api (package {@code onnx}, on ND4J's
 * shaded protobuf runtime), so import costs no extra dependency. Models with external data are refused.
 */
public final class OnnxReader {

  private OnnxReader() {}

  public static OnnxGraph read(InputStream in, String source) throws IOException {
    Onnx.ModelProto model;
    try {
      model = Onnx.ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new IOException(source + " is not a readable ONNX model: " + e.getMessage(), e);
    }
    Onnx.GraphProto graph = model.getGraph();
    if (graph.getNodeCount() == 0) {
      throw new IOException(source + " holds no ONNX graph (is it an ONNX model file?)");
    }
    Map<String, Long> opsets = new LinkedHashMap<>();
    for (Onnx.OperatorSetIdProto opset : model.getOpsetImportList()) {
      opsets.put(opset.getDomain().isEmpty() ? "ai.onnx" : opset.getDomain(), opset.getVersion());
    }
    Map<String, OnnxGraph.Tensor> initializers = new LinkedHashMap<>();
    for (Onnx.TensorProto tensor : graph.getInitializerList()) {
      if (tensor.getDataLocationValue() == 1) {
        throw new IOException(source + " stores tensor " + tensor.getName() + " as external data, which is not supported; "
            + "re-export with the weights inside the .onnx file");
      }
      initializers.put(tensor.getName(), convert(tensor));
    }
    List<OnnxGraph.Node> nodes = new ArrayList<>(graph.getNodeCount());
    for (Onnx.NodeProto node : graph.getNodeList()) {
      List<OnnxGraph.Attr> attrs = new ArrayList<>();
      for (Onnx.AttributeProto attr : node.getAttributeList()) {
        attrs.add(new OnnxGraph.Attr(attr.getName(), attr.getF(), attr.getI(), attr.hasT() ? convert(attr.getT()) : null));
      }
      nodes.add(new OnnxGraph.Node(node.getName(), node.getOpType(), List.copyOf(node.getInputList()),
          List.copyOf(node.getOutputList()), OnnxGraph.attrMap(attrs)));
    }
    List<String> inputs = graph.getInputList().stream().map(Onnx.ValueInfoProto::getName).toList();
    List<String> outputs = graph.getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList();
    return new OnnxGraph(model.getProducerName(), opsets, initializers, nodes, inputs, outputs);
  }

  private static OnnxGraph.Tensor convert(Onnx.TensorProto tensor) {
    float[] floats = new float[tensor.getFloatDataCount()];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = tensor.getFloatData(i);
    }
    return new OnnxGraph.Tensor(tensor.getName(),
        tensor.getDimsList().stream().mapToLong(Long::longValue).toArray(),
        tensor.getDataType(),
        tensor.getRawData().isEmpty() ? null : tensor.getRawData().asReadOnlyByteBuffer(),
        floats,
        tensor.getInt64DataList().stream().mapToLong(Long::longValue).toArray(),
        tensor.getInt32DataList().stream().mapToInt(Integer::intValue).toArray());
  }
}
