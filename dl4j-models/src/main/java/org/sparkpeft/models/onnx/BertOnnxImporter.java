package org.sparkpeft.models.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.BertWeights;
import org.sparkpeft.models.bert.DenseRole;

/**
 * Turns a BERT-family ONNX export into {@link BertWeights} by tracing the graph: the anonymous dense kernels
 * ({@code onnx::MatMul_*}, [in, out]) get their block and role from data flow alone (the k-th kernel MatMul on
 * the longest path is block k/4; query, key and value are told apart by where they enter the attention
 * MatMuls), biases and LayerNorms from the nodes that consume them, and the config from tensor shapes and
 * graph constants. Where the export also carries Hugging Face bias names, they must agree with the trace.
 */
public final class BertOnnxImporter {

  private final OnnxGraph graph;
  private final String source;
  private final Map<String, OnnxGraph.Node> producer = new HashMap<>();
  private final Map<String, List<OnnxGraph.Node>> consumers = new HashMap<>();

  private BertOnnxImporter(OnnxGraph graph, String source) {
    this.graph = graph;
    this.source = source;
    for (OnnxGraph.Node node : graph.nodes()) {
      node.outputs().forEach(o -> producer.put(o, node));
      node.inputs().forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(node));
    }
  }

  /** Imports the weights; {@code source} names the model in error messages. */
  public static BertWeights importWeights(OnnxGraph graph, String source) {
    return new BertOnnxImporter(graph, source).run();
  }

  private record Kernel(int layer, DenseRole role, OnnxGraph.Node matMul, BertWeights.Dense weights, String biasAddOutput) {}

  private BertWeights run() {
    List<Kernel> kernels = traceKernels();
    int layers = kernels.stream().mapToInt(Kernel::layer).max().orElse(-1) + 1;
    if (layers == 0) {
      throw fail("no dense kernels (MatMul/Gemm over a 2-D initializer) were found");
    }
    List<Map<DenseRole, BertWeights.Dense>> dense = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      dense.add(new EnumMap<>(DenseRole.class));
    }
    for (Kernel k : kernels) {
      if (dense.get(k.layer()).put(k.role(), k.weights()) != null) {
        throw fail("block " + k.layer() + " has two " + k.role().configName() + " projections");
      }
    }
    for (int l = 0; l < layers; l++) {
      if (dense.get(l).size() != DenseRole.values().length) {
        throw fail("block " + l + " lacks projections: found only " + dense.get(l).keySet());
      }
    }
    Map<String, OnnxGraph.Tensor> tables = embeddingTables();
    Map<String, BertWeights.LayerNorm> norms = layerNorms(kernels);
    double eps = layerNormEps;
    OnnxGraph.Tensor word = tables.get("word");
    OnnxGraph.Tensor position = tables.get("position");
    OnnxGraph.Tensor type = tables.get("token_type");
    int hidden = (int) word.dims()[1];
    int heads = headCount(kernels.stream().filter(k -> k.layer() == 0 && k.role() == DenseRole.QUERY).findFirst()
        .orElseThrow(), hidden);
    BertConfig config = new BertConfig(layers, hidden, heads, dense.get(0).get(DenseRole.INTERMEDIATE).nOut(),
        (int) word.dims()[0], (int) position.dims()[0], type == null ? 0 : (int) type.dims()[0], eps, activation());
    List<BertWeights.Block> blocks = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      BertWeights.LayerNorm attention = norms.get("layer." + l + ".attention");
      BertWeights.LayerNorm output = norms.get("layer." + l + ".output");
      if (attention == null || output == null) {
        throw fail("block " + l + " lacks its LayerNorms after the residual additions");
      }
      blocks.add(new BertWeights.Block(dense.get(l), attention, output));
    }
    BertWeights.LayerNorm embeddingNorm = norms.get("embeddings");
    if (embeddingNorm == null) {
      throw fail("the embedding LayerNorm was not found");
    }
    return new BertWeights(config, new BertWeights.Embeddings(word.floats(), position.floats(),
        type == null ? new float[0] : type.floats(), embeddingNorm), blocks);
  }

  // ------------------------------------------------------------------------------------------ kernels

  private List<Kernel> traceKernels() {
    Map<String, Integer> depth = new HashMap<>();
    List<Kernel> kernels = new ArrayList<>();
    for (OnnxGraph.Node node : graph.nodes()) { // ONNX keeps nodes in topological order
      int d = 0;
      for (String input : node.inputs()) {
        d = Math.max(d, depth.getOrDefault(input, 0));
      }
      if (isKernel(node)) {
        kernels.add(kernel(node, d));
        d++;
      }
      for (String output : node.outputs()) {
        depth.put(output, d);
      }
    }
    return kernels;
  }

  private Kernel kernel(OnnxGraph.Node matMul, int k) {
    int layer = k / 4;
    String out = projectionOutput(matMul);
    DenseRole role = switch (k % 4) {
      case 0 -> attentionInputRole(matMul, out);
      case 1 -> DenseRole.ATTENTION_OUTPUT;
      case 2 -> DenseRole.INTERMEDIATE;
      default -> DenseRole.OUTPUT;
    };
    OnnxGraph.Tensor w = graph.initializers().get(matMul.input(1));
    boolean transposed = matMul.opType().equals("Gemm") && matMul.attrs().containsKey("transB")
        && matMul.attrs().get("transB").i() == 1;
    if (transposed) {
      throw fail("Gemm with transB=1 (" + w.name() + ") is not supported yet; export with MatMul kernels");
    }
    String biasName = biasOf(matMul);
    if (biasName == null) {
      throw fail("the " + role.configName() + " projection of block " + layer + " (" + w.name() + ") has no bias");
    }
    checkHfName(biasName, layer, role);
    float[] bias = graph.initializers().get(biasName).floats();
    BertWeights.Dense dense = new BertWeights.Dense((int) w.dims()[0], (int) w.dims()[1], w.floats(), bias);
    return new Kernel(layer, role, matMul, dense, out);
  }

  /** Query, key or value: value feeds the context MatMul (whose other input is the softmax); query is the left
   *  operand of the score MatMul, key the right one. */
  private DenseRole attentionInputRole(OnnxGraph.Node matMul, String projection) {
    Deque<String> queue = new ArrayDeque<>(List.of(projection));
    Set<String> seen = new HashSet<>();
    while (!queue.isEmpty()) {
      String tensor = queue.poll();
      if (!seen.add(tensor)) {
        continue;
      }
      for (OnnxGraph.Node user : users(tensor)) {
        int index = user.inputs().indexOf(tensor);
        if (user.opType().equals("Shape") || (user.opType().equals("Reshape") && index != 0)) {
          continue;
        }
        if (user.opType().equals("MatMul") && !isKernel(user)) {
          if (comesFrom(user.input(0), "Softmax", 4)) {
            return DenseRole.VALUE;
          }
          return index == 0 ? DenseRole.QUERY : DenseRole.KEY;
        }
        if (!isKernel(user)) {
          queue.addAll(user.outputs());
        }
      }
    }
    throw fail("the projection " + matMul.input(1) + " does not reach an attention MatMul");
  }

  private void checkHfName(String bias, int layer, DenseRole role) {
    if (bias.startsWith("encoder.layer.") && bias.endsWith(".bias")) {
      String expected = role.hfModule(layer) + ".bias";
      if (!bias.equals(expected)) {
        throw fail("graph tracing says block " + layer + " " + role.configName() + " but the bias is named " + bias);
      }
    }
  }

  private boolean isKernel(OnnxGraph.Node node) {
    if (!node.opType().equals("MatMul") && !node.opType().equals("Gemm")) {
      return false;
    }
    OnnxGraph.Tensor w = graph.initializers().get(node.input(1));
    return w != null && w.rank() == 2;
  }

  private String biasOf(OnnxGraph.Node matMul) {
    if (matMul.opType().equals("Gemm")) {
      return matMul.inputs().size() > 2 ? matMul.input(2) : null;
    }
    for (OnnxGraph.Node user : users(matMul.output())) {
      if (user.opType().equals("Add")) {
        for (String input : user.inputs()) {
          OnnxGraph.Tensor t = graph.initializers().get(input);
          if (t != null && t.rank() == 1) {
            return input;
          }
        }
      }
    }
    return null;
  }

  private String projectionOutput(OnnxGraph.Node matMul) {
    for (OnnxGraph.Node user : users(matMul.output())) {
      if (user.opType().equals("Add") && user.inputs().stream().anyMatch(graph.initializers()::containsKey)) {
        return user.output();
      }
    }
    return matMul.output();
  }

  // ------------------------------------------------------------------------------------------ embeddings, norms

  private Map<String, OnnxGraph.Tensor> embeddingTables() {
    Map<String, OnnxGraph.Tensor> tables = new LinkedHashMap<>();
    for (OnnxGraph.Node node : graph.nodes()) {
      if (!node.opType().equals("Gather")) {
        continue;
      }
      OnnxGraph.Tensor table = graph.initializers().get(node.input(0));
      if (table == null || table.rank() != 2) {
        continue;
      }
      String indices = node.input(1);
      String role;
      if (graph.inputs().contains(indices)) {
        role = indices.contains("type") ? "token_type" : "word";
      } else {
        role = "position";
      }
      tables.put(role, table);
    }
    if (!tables.containsKey("word")) {
      throw fail("no word-embedding Gather over a graph input (input_ids) was found");
    }
    if (!tables.containsKey("position")) {
      throw fail("no position-embedding table was found");
    }
    return tables;
  }

  private double layerNormEps = Double.NaN;

  /** LayerNorms: fused LayerNormalization, or the opset-11 decomposition ReduceMean/Sub/Pow/ReduceMean/Add(eps)/
   *  Sqrt/Div/Mul(gamma)/Add(beta). Named by the residual that feeds them. */
  private Map<String, BertWeights.LayerNorm> layerNorms(List<Kernel> kernels) {
    Map<String, Kernel> byBiasAdd = new HashMap<>();
    kernels.forEach(k -> byBiasAdd.put(k.biasAddOutput(), k));
    Map<String, BertWeights.LayerNorm> norms = new HashMap<>();
    for (OnnxGraph.Node node : graph.nodes()) {
      String x;
      double eps;
      String gamma;
      String beta;
      if (node.opType().equals("LayerNormalization")) {
        x = node.input(0);
        gamma = node.input(1);
        beta = node.input(2);
        eps = node.attrs().containsKey("epsilon") ? node.attrs().get("epsilon").f() : 1e-5;
      } else if (node.opType().equals("Sqrt")) {
        OnnxGraph.Node add = producer.get(node.input(0));
        if (add == null || !add.opType().equals("Add")) {
          continue;
        }
        OnnxGraph.Tensor constant = null;
        OnnxGraph.Node variance = null;
        for (String input : add.inputs()) {
          if (constant(input) != null) {
            constant = constant(input);
          } else {
            variance = producer.get(input);
          }
        }
        if (constant == null || variance == null || !variance.opType().equals("ReduceMean")) {
          continue;
        }
        eps = constant.scalar();
        OnnxGraph.Node div = firstUser(node.output(), "Div");
        OnnxGraph.Node mul = div == null ? null : firstUser(div.output(), "Mul");
        OnnxGraph.Node addBeta = mul == null ? null : firstUser(mul.output(), "Add");
        if (addBeta == null) {
          continue;
        }
        gamma = mul.inputs().stream().filter(graph.initializers()::containsKey).findFirst().orElse(null);
        beta = addBeta.inputs().stream().filter(graph.initializers()::containsKey).findFirst().orElse(null);
        x = producer.get(div.input(0)).input(0);
      } else {
        continue;
      }
      if (gamma == null || beta == null) {
        throw fail("a LayerNorm lacks its scale or shift initializer");
      }
      if (!Double.isNaN(layerNormEps) && Math.abs(layerNormEps - eps) > 1e-20) {
        throw fail("LayerNorms use different epsilons (" + layerNormEps + " and " + eps + ")");
      }
      layerNormEps = eps;
      String where = "embeddings";
      OnnxGraph.Node residual = producer.get(x);
      if (residual != null && residual.opType().equals("Add")) {
        for (String input : residual.inputs()) {
          Kernel k = byBiasAdd.get(input);
          if (k != null) {
            where = "layer." + k.layer() + (k.role() == DenseRole.ATTENTION_OUTPUT ? ".attention" : ".output");
          }
        }
      }
      if (norms.put(where, new BertWeights.LayerNorm(graph.initializers().get(gamma).floats(),
          graph.initializers().get(beta).floats())) != null) {
        throw fail("two LayerNorms were traced to " + where);
      }
    }
    return norms;
  }

  // ------------------------------------------------------------------------------------------ config

  /** Heads from the Reshape that splits the query into [batch, seq, heads, headSize]. */
  private int headCount(Kernel query, int hidden) {
    for (OnnxGraph.Node user : users(query.biasAddOutput())) {
      if (!user.opType().equals("Reshape")) {
        continue;
      }
      List<Long> shape = new ArrayList<>();
      OnnxGraph.Tensor constant = constant(user.input(1));
      if (constant != null) {
        for (long v : constant.longs()) {
          shape.add(v);
        }
      } else {
        OnnxGraph.Node concat = producer.get(user.input(1));
        if (concat == null || !concat.opType().equals("Concat")) {
          continue;
        }
        for (String input : concat.inputs()) {
          OnnxGraph.Tensor part = constant(input);
          if (part == null) {
            shape.add(-1L);
          } else {
            for (long v : part.longs()) {
              shape.add(v);
            }
          }
        }
      }
      if (shape.size() == 4 && shape.get(2) > 0 && shape.get(3) > 0 && shape.get(2) * shape.get(3) == hidden) {
        return Math.toIntExact(shape.get(2));
      }
    }
    throw fail("the number of attention heads could not be read from the Reshape after the first query projection");
  }

  private BertConfig.Activation activation() {
    boolean erf = graph.nodes().stream().anyMatch(n -> n.opType().equals("Erf"));
    boolean tanh = graph.nodes().stream().anyMatch(n -> n.opType().equals("Tanh"));
    if (erf) {
      return BertConfig.Activation.GELU_ERF;
    }
    if (tanh) {
      return BertConfig.Activation.GELU_TANH;
    }
    throw fail("the feed-forward activation is neither erf-GELU nor tanh-GELU");
  }

  // ------------------------------------------------------------------------------------------ helpers

  private OnnxGraph.Tensor constant(String name) {
    OnnxGraph.Tensor t = graph.initializers().get(name);
    if (t != null) {
      return t;
    }
    OnnxGraph.Node p = producer.get(name);
    if (p != null && p.opType().equals("Constant") && p.attrs().containsKey("value")) {
      return p.attrs().get("value").t();
    }
    return null;
  }

  private List<OnnxGraph.Node> users(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  private OnnxGraph.Node firstUser(String tensor, String opType) {
    return users(tensor).stream().filter(u -> u.opType().equals(opType)).findFirst().orElse(null);
  }

  private boolean comesFrom(String tensor, String opType, int hops) {
    for (int i = 0; i < hops && tensor != null && !tensor.isEmpty(); i++) {
      OnnxGraph.Node p = producer.get(tensor);
      if (p == null) {
        return false;
      }
      if (p.opType().equals(opType)) {
        return true;
      }
      tensor = p.input(0);
    }
    return false;
  }

  private IllegalArgumentException fail(String what) {
    return new IllegalArgumentException(source + " is not a supported BERT-family ONNX export: " + what);
  }
}
