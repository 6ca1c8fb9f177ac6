package org.sparkpeft.models.bert.layers;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Base of sparkpeft's DL4J layer configurations: parameters come from a {@link ParamLayout}, and freezing is
 * exact and per parameter — a frozen parameter gets the NoOp updater (no updater state), no regularisation, and
 * the layer computes no gradient for it (its gradient view stays zero).
 */
public abstract class SparkpeftLayerConf extends BaseLayer {

  /** Sorted, so the JSON form is canonical (a deserialised configuration equals the original). */
  private TreeSet<String> frozenParams = new TreeSet<>();
  private boolean upstreamFrozen;
  /** Parameter -> multiplier of the layer's learning rate (absent: 1); replaced, never mutated. */
  private TreeMap<String, Double> rateFactors = new TreeMap<>();

  protected SparkpeftLayerConf() {
  }

  /** The named parameters and their shapes. */
  public abstract ParamLayout layout();

  /** Fresh values for a new (not imported) layer, written into the views. */
  public abstract void initializeParams(Map<String, INDArray> views);

  /** Which parameters are biases (for bias-only methods and bias regularisation). */
  public abstract boolean isBiasParam(String name);

  /** The report group of a parameter ("bias" or "weight" here; layers with PEFT parameters add their own). */
  public String paramGroup(String name) {
    return isBiasParam(name) ? "bias" : "weight";
  }

  public Set<String> getFrozenParams() {
    return java.util.Collections.unmodifiableSet(frozenParams);
  }

  public void setFrozenParams(Set<String> frozenParams) {
    this.frozenParams = new TreeSet<>(frozenParams);
  }

  /**
   * True when every layer feeding this one (transitively) is fully frozen, so nothing upstream needs this
   * layer's input gradient: a fully frozen layer with this flag skips its backward pass. Set from the graph's
   * structure by whoever freezes parameters (the PEFT methods); false (always backprop) by default.
   */
  public boolean isUpstreamFrozen() {
    return upstreamFrozen;
  }

  public void setUpstreamFrozen(boolean upstreamFrozen) {
    this.upstreamFrozen = upstreamFrozen;
  }

  /** Whether no parameter of this layer trains and nothing upstream needs its input gradient. */
  public boolean skipsBackprop() {
    return upstreamFrozen && allFrozen();
  }

  /** Whether no parameter of this layer trains. */
  public boolean allFrozen() {
    return frozenParams.containsAll(layout().names());
  }

  public boolean isFrozen(String param) {
    return frozenParams.contains(param);
  }

  /** Freezes every parameter of this layer. */
  public void freezeAll() {
    frozenParams = new TreeSet<>(layout().names());
  }

  /** Parameter -> multiplier of the layer's learning rate, for the parameters whose rate differs. */
  public Map<String, Double> getRateFactors() {
    return java.util.Collections.unmodifiableMap(rateFactors);
  }

  public void setRateFactors(Map<String, Double> rateFactors) {
    this.rateFactors = new TreeMap<>(rateFactors);
  }

  /** Gives {@code param} {@code factor} times the layer's learning rate (> 0; 1 = the layer's own). */
  public void setRateFactor(String param, double factor) {
    if (!layout().names().contains(param)) {
      throw new IllegalArgumentException(getLayerName() + " has no parameter " + param);
    }
    TreeMap<String, Double> next = new TreeMap<>(rateFactors);
    if (factor == 1) {
      next.remove(param);
    } else {
      next.put(param, factor);
    }
    rateFactors = next;
  }

  @Override
  public IUpdater getUpdaterByParam(String paramName) {
    if (isFrozen(paramName)) {
      return new NoOp();
    }
    IUpdater updater = super.getUpdaterByParam(paramName);
    Double factor = rateFactors.get(paramName);
    return factor == null ? updater : ScaledRate.scale(updater, factor);
  }

  @Override
  public List<Regularization> getRegularizationByParam(String paramName) {
    return isFrozen(paramName) ? List.of() : super.getRegularizationByParam(paramName);
  }

  @Override
  public ParamInitializer initializer() {
    return LayoutParamInitializer.getInstance();
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // sizes come from the model config, not from the input type
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }

  @Override
  public boolean isPretrainParam(String paramName) {
    return false;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    return new LayerMemoryReport.Builder(layerName, getClass(), inputType, getOutputType(-1, inputType))
        .standardMemory(layout().numParams(), layout().numParams())
        .workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0)
        .build();
  }

  static <T extends org.deeplearning4j.nn.layers.BaseLayer<?>> T wire(T layer, Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
      int index, INDArray paramsView, boolean initializeParams, org.deeplearning4j.nn.conf.NeuralNetConfiguration conf) {
    layer.setListeners(listeners);
    layer.setIndex(index);
    layer.setParamsViewArray(paramsView);
    layer.setParamTable(LayoutParamInitializer.getInstance().init(conf, paramsView, initializeParams));
    layer.setConf(conf);
    return layer;
  }
}
