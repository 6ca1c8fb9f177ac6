package org.sparkpeft.models.bert.layers;

import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Sentence pooling of [batch, seq, hidden] to [batch, hidden]: masked mean over tokens, or the [CLS] token. */
public class PoolingConf extends SparkpeftLayerConf {

  public static final String NAME = "pooling";

  /** How token states become one sentence vector. */
  public enum Mode {
    MEAN, CLS
  }

  private Mode mode = Mode.MEAN;
  private int hidden;

  /** For JSON deserialisation. */
  public PoolingConf() {
  }

  public PoolingConf(Mode mode, int hidden) {
    this.mode = mode;
    this.hidden = hidden;
    setLayerName(NAME);
  }

  @Override
  public ParamLayout layout() {
    return new ParamLayout();
  }

  @Override
  public void initializeParams(Map<String, INDArray> views) {
    // no parameters
  }

  @Override
  public boolean isBiasParam(String name) {
    return false;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                           INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    PoolingLayer layer = new PoolingLayer(conf, networkDataType);
    layer.setListeners(listeners);
    layer.setIndex(layerIndex);
    layer.setConf(conf);
    return layer;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.feedForward(hidden);
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public int getHidden() {
    return hidden;
  }

  public void setHidden(int hidden) {
    this.hidden = hidden;
  }
}
