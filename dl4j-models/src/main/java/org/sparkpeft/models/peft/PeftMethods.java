package org.sparkpeft.models.peft;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.peft.adapter.AdapterMethod;
import org.sparkpeft.models.peft.auto.AutoMethod;
import org.sparkpeft.models.peft.bitfit.BitFitMethod;
import org.sparkpeft.models.peft.head.HeadOnlyMethod;
import org.sparkpeft.models.peft.ia3.Ia3Method;
import org.sparkpeft.models.peft.lastn.LastNMethod;
import org.sparkpeft.models.peft.lora.LoraMethod;

/** The registry of PEFT methods, by type name, and the one way to apply one to a base graph. */
public final class PeftMethods {

  private static final Map<String, PeftMethod<?>> METHODS = register(
      new HeadOnlyMethod(),
      new LastNMethod(),
      new BitFitMethod(),
      new LoraMethod(),
      new Ia3Method(),
      new AdapterMethod(),
      new AutoMethod());

  private PeftMethods() {}

  private static Map<String, PeftMethod<?>> register(PeftMethod<?>... methods) {
    Map<String, PeftMethod<?>> out = new LinkedHashMap<>();
    for (PeftMethod<?> method : methods) {
      if (out.put(method.type(), method) != null) {
        throw new IllegalStateException("two PEFT methods are registered as " + method.type());
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  public static Set<String> types() {
    return METHODS.keySet();
  }

  /** Every registered method, in registration order. */
  public static java.util.Collection<PeftMethod<?>> all() {
    return METHODS.values();
  }

  public static PeftMethod<?> get(String type) {
    PeftMethod<?> method = METHODS.get(type);
    if (method == null) {
      throw new IllegalArgumentException("unknown PEFT method '" + type + "'; known: " + types());
    }
    return method;
  }

  /** The configuration of method {@code type} from string options. */
  public static PeftConfig parse(String type, Map<String, String> options, HeadConfig head) {
    return get(type).parse(options, head);
  }

  /**
   * Applies {@code config}'s method to {@code base} (an encoder graph of sparkpeft layers with one output, the
   * pooled sentence vector; it is not modified) and attaches the head: a new graph holding the base's
   * parameter values, with exactly the method's parameters and the head trainable.
   */
  public static PeftModel create(ComputationGraph base, PeftConfig config, Optimization optimization) {
    return create(base, get(config.type()), config, optimization);
  }

  private static PeftModel create(ComputationGraph base, PeftMethod<?> method, PeftConfig config,
                                  Optimization optimization) {
    Plan plan = plan(base, method, config, optimization);
    ComputationGraph graph = new ComputationGraph(plan.conf());
    graph.init();
    copyParams(base, graph);
    markUpstreamFrozen(graph);

    Set<String> trainable = new LinkedHashSet<>(plan.encoderTrainable());
    for (String head : plan.headLayers()) {
      graph.getLayer(head).paramTable().keySet().forEach(p -> trainable.add(head + "_" + p));
    }
    return new PeftModel(graph, trainable, config);
  }

  /**
   * The DL4J shape of every trainable parameter {@link #create} would make for {@code config} on {@code base}, by
   * {@code layerName_paramName} key, from the configuration alone: nothing is allocated, so a loader can check
   * untrusted sizes (a LoRA rank, a head width) against the tensors it holds before building anything.
   */
  public static Map<String, long[]> trainableShapes(ComputationGraph base, PeftConfig config) {
    Plan plan = plan(base, get(config.type()), config, Optimization.adamW(1e-3, 0));
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, GraphVertex> vertices = plan.conf().getVertices();
    for (String key : plan.encoderTrainable()) {
      int split = key.lastIndexOf('_');
      SparkpeftLayerConf layer = (SparkpeftLayerConf) ((LayerVertex) vertices.get(key.substring(0, split)))
          .getLayerConf().getLayer();
      shapes.put(key, layer.layout().shape(key.substring(split + 1)).clone());
    }
    for (String head : plan.headLayers()) {
      FeedForwardLayer layer = (FeedForwardLayer) ((LayerVertex) vertices.get(head)).getLayerConf().getLayer();
      shapes.put(head + "_W", new long[] {layer.getNIn(), layer.getNOut()});
      shapes.put(head + "_b", new long[] {layer.getNOut()});
    }
    return shapes;
  }

  /** The adapted graph's configuration, the encoder parameters to train and the head's layers; nothing allocated. */
  private record Plan(ComputationGraphConfiguration conf, Set<String> encoderTrainable, List<String> headLayers) {}

  private static <C extends PeftConfig> Plan plan(ComputationGraph base, PeftMethod<C> method, PeftConfig config,
                                                  Optimization optimization) {
    ComputationGraphConfiguration encoder = base.getConfiguration().clone();
    if (encoder.getNetworkOutputs().size() != 1) {
      throw new IllegalArgumentException("the base graph must have one output (the pooled sentence vector), it has "
          + encoder.getNetworkOutputs());
    }
    String pooled = encoder.getNetworkOutputs().get(0);
    Map<String, SparkpeftLayerConf> layers = encoderLayers(encoder);
    layers.values().forEach(SparkpeftLayerConf::freezeAll);

    Set<String> encoderTrainable = method.adapt(encoder, method.configType().cast(config));
    unfreeze(layers, encoderTrainable);

    ComputationGraphConfiguration.GraphBuilder builder = new ComputationGraphConfiguration.GraphBuilder(encoder,
        BertGraphs.baseConfiguration(encoder.getDataType(), optimization.seed()).updater(optimization.updater()));
    List<String> headLayers = Heads.add(builder, config.head(), pooled, pooledSize(encoder, pooled),
        optimization.classWeights());
    ComputationGraphConfiguration conf = builder.setOutputs(HeadConfig.OUTPUT).build();
    setOptimization(conf, optimization, Set.copyOf(headLayers));
    return new Plan(conf, encoderTrainable, headLayers);
  }

  private static Map<String, SparkpeftLayerConf> encoderLayers(ComputationGraphConfiguration encoder) {
    Map<String, SparkpeftLayerConf> layers = new LinkedHashMap<>();
    for (Map.Entry<String, GraphVertex> e : encoder.getVertices().entrySet()) {
      if (e.getValue() instanceof LayerVertex vertex) {
        org.deeplearning4j.nn.conf.layers.Layer layer = vertex.getLayerConf().getLayer();
        if (!(layer instanceof SparkpeftLayerConf sparkpeft)) {
          throw new IllegalArgumentException("the base graph must hold only sparkpeft encoder layers; "
              + e.getKey() + " is a " + layer.getClass().getSimpleName());
        }
        layers.put(e.getKey(), sparkpeft);
      }
    }
    return layers;
  }

  private static void unfreeze(Map<String, SparkpeftLayerConf> layers, Set<String> trainable) {
    Set<String> unknown = new LinkedHashSet<>(trainable);
    for (Map.Entry<String, SparkpeftLayerConf> e : layers.entrySet()) {
      Set<String> frozen = new LinkedHashSet<>();
      for (String param : e.getValue().layout().names()) {
        String key = e.getKey() + "_" + param;
        if (!unknown.remove(key)) {
          frozen.add(param);
        }
      }
      e.getValue().setFrozenParams(frozen);
    }
    if (!unknown.isEmpty()) {
      throw new IllegalStateException("the method selected parameters the encoder does not have: " + unknown);
    }
  }

  /** Lets fully frozen layers with nothing trainable upstream skip their backward pass (derived from structure). */
  private static void markUpstreamFrozen(ComputationGraph graph) {
    Map<String, Boolean> memo = new java.util.HashMap<>();
    for (Layer layer : graph.getLayers()) {
      if (layer.conf().getLayer() instanceof SparkpeftLayerConf conf) {
        conf.setUpstreamFrozen(inputsFrozen(graph, layer.conf().getLayer().getLayerName(), memo));
      }
    }
  }

  /** Whether every vertex feeding {@code vertex}, transitively, has no trainable parameter. */
  private static boolean inputsFrozen(ComputationGraph graph, String vertex, Map<String, Boolean> memo) {
    Boolean known = memo.get(vertex);
    if (known != null) {
      return known;
    }
    boolean frozen = true;
    for (String input : graph.getConfiguration().getVertexInputs().getOrDefault(vertex, List.of())) {
      if (graph.getConfiguration().getNetworkInputs().contains(input)) {
        continue;
      }
      Layer layer = graph.getVertex(input).hasLayer() ? graph.getVertex(input).getLayer() : null;
      boolean selfFrozen = layer == null || layer.numParams() == 0
          || (layer.conf().getLayer() instanceof SparkpeftLayerConf conf
              && conf.getFrozenParams().containsAll(conf.layout().names()));
      if (!selfFrozen || !inputsFrozen(graph, input, memo)) {
        frozen = false;
        break;
      }
    }
    memo.put(vertex, frozen);
    return frozen;
  }

  private static int pooledSize(ComputationGraphConfiguration encoder, String pooled) {
    GraphVertex vertex = encoder.getVertices().get(pooled);
    if (!(vertex instanceof LayerVertex layer)) {
      throw new IllegalArgumentException("the base graph's output " + pooled + " is not a layer");
    }
    return (int) layer.getLayerConf().getLayer().getOutputType(-1, null).arrayElementsPerExample();
  }

  /**
   * Every layer gets the updater (the head's layers the head's updater) and weight decay on weights; frozen
   * parameters override both with nothing.
   */
  private static void setOptimization(ComputationGraphConfiguration conf, Optimization optimization,
                                      Set<String> headLayers) {
    List<Regularization> decay = optimization.weightDecay() > 0
        ? List.of(new DecoupledWeightDecay(optimization.weightDecay(), true)) : List.of();
    for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
      if (e.getValue() instanceof LayerVertex layerVertex
          && layerVertex.getLayerConf().getLayer() instanceof BaseLayer layer) {
        layer.setIUpdater((headLayers.contains(e.getKey()) ? optimization.headUpdaterOrDefault()
            : optimization.updater()).clone());
        layer.setBiasUpdater(null);
        layer.setRegularization(new java.util.ArrayList<>(decay));
        layer.setRegularizationBias(new java.util.ArrayList<>());
      }
    }
  }

  /** Copies every base parameter into the same-named parameter of {@code target}; shapes must agree. */
  private static void copyParams(ComputationGraph base, ComputationGraph target) {
    for (Layer layer : base.getLayers()) {
      String name = layer.conf().getLayer().getLayerName();
      Layer to = target.getLayer(name);
      for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
        INDArray view = to.getParam(p.getKey());
        if (!java.util.Arrays.equals(view.shape(), p.getValue().shape())) {
          throw new IllegalStateException(name + "." + p.getKey() + " changed shape from "
              + java.util.Arrays.toString(p.getValue().shape()) + " to " + java.util.Arrays.toString(view.shape()));
        }
        view.assign(p.getValue());
      }
    }
  }
}
