package org.sparkpeft.models.bert.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.DenseRole;

/**
 * One BERT encoder block (post-LayerNorm): multi-head self-attention with a key padding mask, output projection
 * + residual + LayerNorm, GELU feed-forward + residual + LayerNorm. Activations are [batch, seq, hidden].
 * Parameters are named by role: {@code query.W} [hidden, hidden] ([in, out]), {@code query.b}, ...,
 * {@code attentionNorm.gamma}, {@code attentionNorm.beta}, {@code outputNorm.gamma}, {@code outputNorm.beta}
 * (never an underscore: DL4J splits gradient keys at the last '_').
 *
 * <p>PEFT methods (LoRA, IA3, bottleneck adapters) change the dense projections through the {@link ProjectionHook}s
 * the block holds ({@link #getHooks()}); the block knows none of them by name. Their parameters follow the base
 * ones in {@link #layout()}, in hook order.
 */
public class TransformerBlockConf extends SparkpeftLayerConf {

  private int hidden;
  private int heads;
  private int intermediate;
  private double layerNormEps;
  private BertConfig.Activation activation;
  private int blockIndex;
  private List<ProjectionHook> hooks = List.of();

  /** For JSON deserialisation. */
  public TransformerBlockConf() {
  }

  public TransformerBlockConf(BertConfig config, int blockIndex) {
    this.hidden = config.hidden();
    this.heads = config.heads();
    this.intermediate = config.intermediate();
    this.layerNormEps = config.layerNormEps();
    this.activation = config.activation();
    this.blockIndex = blockIndex;
    setLayerName(layerName(blockIndex));
  }

  /** The vertex name of block {@code index}: Hugging Face's module path. */
  public static String layerName(int index) {
    return "encoder.layer." + index;
  }

  public static String weight(DenseRole role) {
    return role.paramPrefix() + ".W";
  }

  public static String bias(DenseRole role) {
    return role.paramPrefix() + ".b";
  }

  /** The hooks around the dense projections, in order (the first innermost). */
  public List<ProjectionHook> getHooks() {
    return hooks;
  }

  public void setHooks(List<ProjectionHook> hooks) {
    this.hooks = List.copyOf(hooks);
  }

  /**
   * Adds {@code hook} after the existing ones; its parameters appear in {@link #layout()} after the base ones and
   * the earlier hooks', so base parameters keep their names and shapes.
   */
  public void addHook(ProjectionHook hook) {
    List<ProjectionHook> out = new ArrayList<>(hooks);
    out.add(hook);
    setHooks(out);
  }

  /** Replaces {@code old} (the same instance) by {@code hook}, in place in the order (e.g. LoRA merged/unmerged). */
  public void replaceHook(ProjectionHook old, ProjectionHook hook) {
    List<ProjectionHook> out = new ArrayList<>(hooks);
    int index = -1;
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i) == old) {
        index = i;
        break;
      }
    }
    if (index < 0) {
      throw new IllegalArgumentException(getLayerName() + " does not hold " + old);
    }
    out.set(index, hook);
    setHooks(out);
  }

  /** The hooks of {@code type}, in order. */
  public <T extends ProjectionHook> List<T> hooks(Class<T> type) {
    return hooks.stream().filter(type::isInstance).map(type::cast).toList();
  }


  public static final String ATTENTION_LN_GAMMA = "attentionNorm.gamma";
  public static final String ATTENTION_LN_BETA = "attentionNorm.beta";
  public static final String OUTPUT_LN_GAMMA = "outputNorm.gamma";
  public static final String OUTPUT_LN_BETA = "outputNorm.beta";

  @Override
  public ParamLayout layout() {
    ParamLayout layout = new ParamLayout();
    for (DenseRole role : DenseRole.values()) {
      layout.add(weight(role), nIn(role), nOut(role));
      layout.add(bias(role), nOut(role));
    }
    layout.add(ATTENTION_LN_GAMMA, hidden).add(ATTENTION_LN_BETA, hidden);
    layout.add(OUTPUT_LN_GAMMA, hidden).add(OUTPUT_LN_BETA, hidden);
    hooks.forEach(hook -> hook.declare(layout, this));
    return layout;
  }

  public int nIn(DenseRole role) {
    return role == DenseRole.OUTPUT ? intermediate : hidden;
  }

  public int nOut(DenseRole role) {
    return role == DenseRole.INTERMEDIATE ? intermediate : hidden;
  }

  @Override
  public void initializeParams(Map<String, INDArray> views) {
    for (DenseRole role : DenseRole.values()) {
      views.get(weight(role)).assign(Nd4j.randn(views.get(weight(role)).dataType(), views.get(weight(role)).shape()).muli(0.02));
      views.get(bias(role)).assign(0.0);
    }
    views.get(ATTENTION_LN_GAMMA).assign(1.0);
    views.get(ATTENTION_LN_BETA).assign(0.0);
    views.get(OUTPUT_LN_GAMMA).assign(1.0);
    views.get(OUTPUT_LN_BETA).assign(0.0);
    hooks.forEach(hook -> hook.initialize(views, this));
  }

  /** The hooks' groups ("lora", "ia3", "adapter", ...) for PEFT parameters; "bias" or "weight" for the base's. */
  @Override
  public String paramGroup(String name) {
    for (ProjectionHook hook : hooks) {
      String group = hook.paramGroup(name);
      if (group != null) {
        return group;
      }
    }
    return super.paramGroup(name);
  }

  @Override
  public boolean isBiasParam(String name) {
    return name.endsWith(".b") || name.endsWith(".beta");
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                           INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    return wire(new TransformerBlockLayer(conf, networkDataType), listeners, layerIndex, layerParamsView,
        initializeParams, conf);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return inputType;
  }

  public int getHidden() {
    return hidden;
  }

  public void setHidden(int hidden) {
    this.hidden = hidden;
  }

  public int getHeads() {
    return heads;
  }

  public void setHeads(int heads) {
    this.heads = heads;
  }

  public int getIntermediate() {
    return intermediate;
  }

  public void setIntermediate(int intermediate) {
    this.intermediate = intermediate;
  }

  public double getLayerNormEps() {
    return layerNormEps;
  }

  public void setLayerNormEps(double layerNormEps) {
    this.layerNormEps = layerNormEps;
  }

  public BertConfig.Activation getActivation() {
    return activation;
  }

  public void setActivation(BertConfig.Activation activation) {
    this.activation = activation;
  }

  public int getBlockIndex() {
    return blockIndex;
  }

  public void setBlockIndex(int blockIndex) {
    this.blockIndex = blockIndex;
  }

}
