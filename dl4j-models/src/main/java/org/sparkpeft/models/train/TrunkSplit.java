package org.sparkpeft.models.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.ReusedActivations;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.PeftModel;

/**
 * A {@link PeftModel} cut below the first layer that trains: the frozen trunk (embeddings and the blocks below it,
 * run in inference mode) and the {@linkplain #upper() upper graph} (that layer and everything above it, input
 * {@value #FEATURES}: the trunk's output, with the attention mask as its feature mask while it is a sequence). The
 * upper graph holds no parameters or updater state of its own: its parameters are a view of the model's (the chain's
 * suffix of the flattened parameter vector) and its updater state is the model's updater state array, so fitting it
 * is fitting the model on the trunk's output. Same results as fitting the whole model, because the trunk holds no
 * dropout (checked: a trunk layer with dropout gives no split) and no trainable parameter, so the whole model's
 * training forward pass computes the same trunk output and draws no random numbers in it.
 *
 * <p>Like {@code predict}'s shared trunk, this needs the model to be one chain of single-input layers (embeddings,
 * blocks, pooling, head). Not thread-safe: it uses the model's graph.
 */
public final class TrunkSplit {

  /** The upper graph's input. */
  public static final String FEATURES = "trunk_features";

  private final PeftModel model;
  private final List<String> chain;
  private final int at;
  private final ComputationGraph upper;

  private TrunkSplit(PeftModel model, List<String> chain, int at) {
    this.model = model;
    this.chain = chain;
    this.at = at;
    this.upper = upperGraph();
  }

  /**
   * The split of {@code model} below its first trained layer, or null when there is no frozen trunk to cut (the
   * first layer trains, the graph is not a chain, or a trunk layer has dropout).
   */
  public static TrunkSplit of(PeftModel model) {
    ComputationGraph graph = model.graph();
    List<String> chain = chain(graph);
    if (chain == null) {
      return null;
    }
    int at = 0;
    while (at < chain.size() && !trains(model, chain.get(at))) {
      at++;
    }
    if (at == 0 || at == chain.size()) {
      return null;
    }
    for (int i = 0; i < at; i++) {
      if (graph.getLayer(chain.get(i)).conf().getLayer().getIDropout() != null) {
        return null;
      }
    }
    return new TrunkSplit(model, chain, at);
  }

  /** How many layers of the chain the trunk holds. */
  public int trunkLayers() {
    return at;
  }

  /**
   * Whether the trunk's output is a sequence ([batch, seq, hidden], with the attention mask) rather than pooled
   * vectors ([batch, hidden], the trunk ends with the pooling).
   */
  public boolean sequenceOutput() {
    for (int i = 0; i < at; i++) {
      if (model.graph().getLayer(chain.get(i)).conf().getLayer() instanceof PoolingConf) {
        return false;
      }
    }
    return true;
  }

  /** How many transformer blocks the trunk holds (0: only the embeddings, too cheap to be worth caching). */
  public int trunkBlocks() {
    int blocks = 0;
    for (int i = 0; i < at; i++) {
      if (model.graph().getLayer(chain.get(i)).conf().getLayer() instanceof TransformerBlockConf) {
        blocks++;
      }
    }
    return blocks;
  }

  /** The first layer that trains (the upper graph's first layer). */
  public String firstTrainedLayer() {
    return chain.get(at);
  }

  /** "embeddings, encoder.layer.0..encoder.layer.5 (7 layers) below pooling". */
  public String describe() {
    String layers = at == 1 ? chain.get(0) : chain.get(0) + " .. " + chain.get(at - 1);
    return layers + " (" + at + " layer" + (at == 1 ? "" : "s") + ") below " + chain.get(at);
  }

  /**
   * SHA-256 of the trunk's layer names and configurations (JSON): with the base's fingerprint, what the trunk's
   * output depends on besides the token ids.
   */
  public String trunkDigest() {
    StringBuilder text = new StringBuilder("sparkpeft-trunk-v1\n");
    for (int i = 0; i < at; i++) {
      org.deeplearning4j.nn.conf.graph.LayerVertex vertex = (org.deeplearning4j.nn.conf.graph.LayerVertex)
          model.graph().getConfiguration().getVertices().get(chain.get(i));
      text.append(chain.get(i)).append('\n').append(vertex.getLayerConf().toJson()).append('\n');
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The trunk's output for padded {@code ids} [batch, seq] with attention {@code mask} [batch, seq], in inference
   * mode: [batch, seq, hidden] (masked positions hold values no later layer reads) or, when the trunk ends with the
   * pooling, [batch, hidden].
   */
  public INDArray features(INDArray ids, INDArray mask) {
    ComputationGraph graph = model.graph();
    graph.setLayerMaskArrays(new INDArray[] {mask}, null);
    try {
      return infer(graph, chain, 0, at, ids); // the last output is what the cache keeps
    } finally {
      graph.clearLayerMaskArrays();
    }
  }

  /**
   * Runs layers {@code from} (inclusive) to {@code to} (exclusive) of {@code chain} in {@code graph} on
   * {@code input}, in inference mode, with the mask arrays the caller set on the graph. Each output but the last is
   * consumed by the next layer, so those go into the layers' reused buffers ({@link ReusedActivations#during}); the
   * last, which the caller keeps, is a fresh array.
   */
  public static INDArray infer(ComputationGraph graph, List<String> chain, int from, int to, INDArray input) {
    LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
    INDArray act = input;
    for (int i = from; i < to; i++) {
      LayerVertex vertex = (LayerVertex) graph.getVertex(chain.get(i));
      if (vertex.getLayerPreProcessor() != null) {
        act = vertex.getLayerPreProcessor().preProcess(act, (int) act.size(0), workspaces);
      }
      INDArray in = act;
      act = i < to - 1 ? ReusedActivations.during(() -> vertex.getLayer().activate(in, false, workspaces))
          : vertex.getLayer().activate(in, false, workspaces);
    }
    return act;
  }

  /** The graph from the first trained layer up, sharing the model's parameters and updater state. */
  public ComputationGraph upper() {
    return upper;
  }

  /** Copies the model's step and epoch counters (read by the schedule and Adam's bias correction) to the upper graph. */
  public void syncCounters() {
    upper.getConfiguration().setIterationCount(model.graph().getConfiguration().getIterationCount());
    upper.getConfiguration().setEpochCount(model.graph().getConfiguration().getEpochCount());
  }

  /** The upper graph's training data: trunk {@code features}, the mask while they are a sequence, the labels. */
  public static MultiDataSet upperData(INDArray features, INDArray mask, INDArray labels) {
    return new MultiDataSet(new INDArray[] {features}, new INDArray[] {labels},
        features.rank() == 3 ? new INDArray[] {mask} : null, null);
  }

  private ComputationGraph upperGraph() {
    ComputationGraph graph = model.graph();
    ComputationGraphConfiguration conf = graph.getConfiguration().clone();
    Map<String, GraphVertex> vertices = new LinkedHashMap<>(conf.getVertices());
    Map<String, List<String>> inputs = new LinkedHashMap<>(conf.getVertexInputs());
    long offset = 0;
    for (int i = 0; i < at; i++) {
      vertices.remove(chain.get(i));
      inputs.remove(chain.get(i));
      offset += graph.getLayer(chain.get(i)).numParams();
    }
    inputs.put(chain.get(at), List.of(FEATURES));
    conf.setVertices(vertices);
    conf.setVertexInputs(inputs);
    conf.setNetworkInputs(List.of(FEATURES));
    conf.setTopologicalOrder(null);
    conf.setTopologicalOrderStr(null);
    ComputationGraph out = new ComputationGraph(conf);
    // the chain's parameters are laid out in chain order: the upper layers' are the flattened vector's suffix
    out.init(graph.params().get(NDArrayIndex.all(), NDArrayIndex.interval(offset, graph.numParams())), false);
    out.paramTable().forEach((key, value) -> {
      if (!value.equals(graph.getParam(key))) {
        throw new IllegalStateException("the upper graph's " + key + " is not the model's");
      }
    });
    INDArray state = graph.getUpdater(true).getStateViewArray();
    if (state != null) {
      out.setUpdater(new ComputationGraphUpdater(out, state));
    }
    return out;
  }

  private static boolean trains(PeftModel model, String layer) {
    String prefix = layer + "_";
    return model.trainableParams().stream().anyMatch(p -> p.startsWith(prefix));
  }

  /** The layer names from input to output when the graph is one chain of single-input layers; else null. */
  public static List<String> chain(ComputationGraph graph) {
    if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
      return null;
    }
    List<String> names = new ArrayList<>();
    org.deeplearning4j.nn.graph.vertex.GraphVertex[] vertices = graph.getVertices();
    for (int index : graph.topologicalSortOrder()) {
      org.deeplearning4j.nn.graph.vertex.GraphVertex v = vertices[index];
      if (v.isInputVertex()) {
        continue;
      }
      if (!(v instanceof LayerVertex) || v.getNumInputArrays() != 1 || (v.getOutputVertices() != null
          && v.getOutputVertices().length > 1)) {
        return null;
      }
      names.add(v.getVertexName());
    }
    return names;
  }
}
