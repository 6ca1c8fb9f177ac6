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
    }
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
}
