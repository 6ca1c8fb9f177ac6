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
 * <p>PEFT methods that change the dense projections (LoRA, IA3) do so through the {@link ProjectionHook}s the block
 * holds ({@link #getHooks()}): their parameters follow the base ones in {@link #layout()}, in hook order.
 *
 * <p>Optional Houlsby bottleneck adapters: after the attention output projection ({@code attentionAdapter.*}) and
 * after the FFN output projection ({@code outputAdapter.*}), before each residual + LayerNorm:
 * {@code h + up(act(down(h)))}, {@code down.W} [hidden, size], {@code down.b}, {@code up.W} [size, hidden],
 * {@code up.b}; down is N(0, 0.01²), up is zero, so a new adapter (with its residual) is the identity.
 */
public class TransformerBlockConf extends SparkpeftLayerConf {

  private int hidden;
  private int heads;
  private int intermediate;
  private double layerNormEps;
  private BertConfig.Activation activation;
  private int blockIndex;
  private List<ProjectionHook> hooks = List.of();
  private int adapterSize;
  private AdapterActivation adapterActivation = AdapterActivation.RELU;
  private boolean adapterResidual = true;

  /** Where the bottleneck adapters sit: after the attention output projection and after the FFN output. */
  public static final String ATTENTION_ADAPTER = "attentionAdapter";
  public static final String OUTPUT_ADAPTER = "outputAdapter";
  public static final List<String> ADAPTER_SITES = List.of(ATTENTION_ADAPTER, OUTPUT_ADAPTER);

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

  /** Adds the two bottleneck adapters of {@code size} (replacing any earlier adapter setting). */
  public void setAdapter(int size, AdapterActivation activation, boolean residual) {
    if (size < 1) {
      throw new IllegalArgumentException("adapter size must be >= 1, got " + size);
    }
    this.adapterSize = size;
    this.adapterActivation = activation;
    this.adapterResidual = residual;
  }

  public boolean hasAdapter() {
    return adapterSize > 0;
  }

  /** The parameter names of the adapter at {@code site} ({@link #ATTENTION_ADAPTER} or {@link #OUTPUT_ADAPTER}). */
  public static List<String> adapterParams(String site) {
    BottleneckAdapter.Params p = BottleneckAdapter.Params.at(site);
    return List.of(p.downW(), p.downB(), p.upW(), p.upB());
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
    if (hasAdapter()) {
      ADAPTER_SITES.forEach(site -> BottleneckAdapter.Params.at(site).addTo(layout, hidden, adapterSize));
    }
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
    if (hasAdapter()) {
      ADAPTER_SITES.forEach(site -> BottleneckAdapter.Params.at(site).initialize(views));
    }
  }

  /** The hooks' groups ("lora", "ia3", ...) and "adapter" for PEFT parameters; "bias" or "weight" for the base's. */
  @Override
  public String paramGroup(String name) {
    for (ProjectionHook hook : hooks) {
      String group = hook.paramGroup(name);
      if (group != null) {
        return group;
      }
    }
    if (ADAPTER_SITES.stream().anyMatch(site -> adapterParams(site).contains(name))) {
      return "adapter";
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

  /** Bottleneck size of the adapters, 0 = none. */
  public int getAdapterSize() {
    return adapterSize;
  }

  public void setAdapterSize(int adapterSize) {
    this.adapterSize = adapterSize;
  }

  public AdapterActivation getAdapterActivation() {
    return adapterActivation;
  }

  public void setAdapterActivation(AdapterActivation adapterActivation) {
    this.adapterActivation = adapterActivation;
  }

  public boolean isAdapterResidual() {
    return adapterResidual;
  }

  public void setAdapterResidual(boolean adapterResidual) {
    this.adapterResidual = adapterResidual;
  }
}
