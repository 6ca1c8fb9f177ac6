package org.sparkpeft.models.bert.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of sparkpeft's sequence layers (activations [batch, seq, hidden]): per-layer workspaces and reused
 * backprop buffers, the padding mask passed through unchanged, and gradients only for parameters that are not
 * frozen.
 *
 * @param <C> the layer's configuration
 */
abstract class SparkpeftLayer<C extends SparkpeftLayerConf> extends BaseLayer<C> {

  protected final transient LayerWorkspaces workspaces = new LayerWorkspaces();
  protected final transient KeptArrays kept = new KeptArrays();

  SparkpeftLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** The gradient view of a trainable parameter, or null when it is frozen (its view stays zero). */
  protected INDArray grad(String param) {
    return layerConf().isFrozen(param) ? null : gradientViews.get(param);
  }

  /** Every parameter's gradient view, as DL4J's updater expects them after backprop. */
  protected Gradient parameterGradients() {
    Gradient gradient = new DefaultGradient(gradientsFlattened);
    for (String name : layerConf().layout().names()) {
      gradient.setGradientFor(name, gradientViews.get(name));
    }
    return gradient;
  }

  /** Drops the forward state kept for backprop. */
  protected abstract void dropCache();

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                        int minibatchSize) {
    this.maskArray = maskArray;
    this.maskState = currentMaskState;
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public Type type() {
    return Type.RECURRENT;
  }

  @Override
  public void clear() {
    super.clear();
    dropCache();
  }
}
