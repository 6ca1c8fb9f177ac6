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
 * <p>Optional LoRA: for each targeted role the block also holds {@code query.loraA} [in, r] (Kaiming-uniform) and
 * {@code query.loraB} [r, out] (zeros), and computes {@code y = x W + b + scale (drop(x) A) B}. While merged
 * ({@link #isLoraMerged()}), {@code W} already holds {@code W + scale A B} and the LoRA path is skipped.
 *
 * <p>Optional IA3 (Liu et al. 2022): a learned vector {@code key.ia3} [1, n], initialised to 1, scales a targeted
 * projection — its output for key/value/query/attention_output/intermediate ({@code y = (x W + b) * l}, n = out),
 * its input for the feed-forward output projection ({@code y = (x * l) W + b}, n = intermediate: the FFN
 * activation), as PEFT's IA3 does for feed-forward modules.
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
  private int loraRank;
  private double loraScale;
  private double loraDropout;
  private List<DenseRole> loraTargets = new ArrayList<>();
  private boolean loraMerged;
  private List<DenseRole> ia3Targets = new ArrayList<>();
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

  /** LoRA down-projection [in, r] of {@code role}. */
  public static String loraA(DenseRole role) {
    return role.paramPrefix() + ".loraA";
  }

  /** LoRA up-projection [r, out] of {@code role}. */
  public static String loraB(DenseRole role) {
    return role.paramPrefix() + ".loraB";
  }

  /**
   * Adds LoRA to {@code targets} (replacing any earlier LoRA setting); the new parameters appear in
   * {@link #layout()} after the base ones, so base parameters keep their names and shapes.
   */
  public void setLora(int rank, double scale, double dropout, Collection<DenseRole> targets) {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("LoRA needs at least one target role");
    }
    this.loraRank = rank;
    this.loraScale = scale;
    this.loraDropout = dropout;
    this.loraTargets = new ArrayList<>(java.util.EnumSet.copyOf(targets));
    this.loraMerged = false;
  }

  /** Whether {@code role} carries LoRA parameters. */
  public boolean hasLora(DenseRole role) {
    return loraRank > 0 && loraTargets.contains(role);
  }

  /** The IA3 scaling vector [1, n] of {@code role}. */
  public static String ia3(DenseRole role) {
    return role.paramPrefix() + ".ia3";
  }

  /** Whether IA3 scales the input of {@code role} (the feed-forward output projection) rather than its output. */
  public static boolean ia3ScalesInput(DenseRole role) {
    return role == DenseRole.OUTPUT;
  }

  /** Size of the IA3 vector of {@code role}. */
  public int ia3Size(DenseRole role) {
    return ia3ScalesInput(role) ? nIn(role) : nOut(role);
  }

  /** Adds IA3 vectors to {@code targets} (replacing any earlier IA3 setting). */
  public void setIa3(Collection<DenseRole> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("IA3 needs at least one target role");
    }
    this.ia3Targets = new ArrayList<>(java.util.EnumSet.copyOf(targets));
  }

  public boolean hasIa3(DenseRole role) {
    return ia3Targets.contains(role);
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
    for (DenseRole role : DenseRole.values()) {
      if (hasLora(role)) {
        layout.add(loraA(role), nIn(role), loraRank);
        layout.add(loraB(role), loraRank, nOut(role));
      }
    }
    for (DenseRole role : DenseRole.values()) {
      if (hasIa3(role)) {
        layout.add(ia3(role), 1, ia3Size(role));
      }
    }
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
    for (DenseRole role : DenseRole.values()) {
      if (hasLora(role)) {
        // PEFT: kaiming_uniform_(a=sqrt(5)) on A, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)); B = 0
        INDArray a = views.get(loraA(role));
        double bound = 1.0 / Math.sqrt(nIn(role));
        a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(2 * bound).subi(bound));
        views.get(loraB(role)).assign(0.0);
      }
      if (hasIa3(role)) {
        views.get(ia3(role)).assign(1.0);
      }
    }
    if (hasAdapter()) {
      ADAPTER_SITES.forEach(site -> BottleneckAdapter.Params.at(site).initialize(views));
    }
  }

  /** "lora", "ia3" or "adapter" for PEFT parameters; "bias" or "weight" for the base's. */
  @Override
  public String paramGroup(String name) {
    for (DenseRole role : DenseRole.values()) {
      if (name.equals(loraA(role)) || name.equals(loraB(role))) {
        return "lora";
      }
      if (name.equals(ia3(role))) {
        return "ia3";
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

  public int getLoraRank() {
    return loraRank;
  }

  public void setLoraRank(int loraRank) {
    this.loraRank = loraRank;
  }

  public double getLoraScale() {
    return loraScale;
  }

  public void setLoraScale(double loraScale) {
    this.loraScale = loraScale;
  }

  public double getLoraDropout() {
    return loraDropout;
  }

  public void setLoraDropout(double loraDropout) {
    this.loraDropout = loraDropout;
  }

  public List<DenseRole> getLoraTargets() {
    return List.copyOf(loraTargets);
  }

  public void setLoraTargets(List<DenseRole> loraTargets) {
    this.loraTargets = new ArrayList<>(loraTargets);
  }

  /** True while {@code W} holds the merged LoRA update (the LoRA path is then skipped). */
  public boolean isLoraMerged() {
    return loraMerged;
  }

  public void setLoraMerged(boolean loraMerged) {
    this.loraMerged = loraMerged;
  }

  public int getBlockIndex() {
    return blockIndex;
  }

  public void setBlockIndex(int blockIndex) {
    this.blockIndex = blockIndex;
  }

  public List<DenseRole> getIa3Targets() {
    return List.copyOf(ia3Targets);
  }

  public void setIa3Targets(List<DenseRole> ia3Targets) {
    this.ia3Targets = new ArrayList<>(ia3Targets);
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
