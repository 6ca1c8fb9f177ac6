package org.sparkpeft.models.bert.layers;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One DL4J ParamInitializer for every sparkpeft layer: the layer's {@link ParamLayout} says everything. */
public final class LayoutParamInitializer implements ParamInitializer {

  private static final LayoutParamInitializer INSTANCE = new LayoutParamInitializer();

  public static LayoutParamInitializer getInstance() {
    return INSTANCE;
  }

  private static SparkpeftLayerConf conf(Layer layer) {
    return (SparkpeftLayerConf) layer;
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    return conf(layer).layout().numParams();
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    return conf(layer).layout().names();
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    return paramKeys(layer).stream().filter(p -> !conf(layer).isBiasParam(p)).toList();
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    return paramKeys(layer).stream().filter(p -> conf(layer).isBiasParam(p)).toList();
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return !conf(layer).isBiasParam(key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return conf(layer).isBiasParam(key);
  }

  @Override
  public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    SparkpeftLayerConf layer = conf(conf.getLayer());
    Map<String, INDArray> views = layer.layout().views(paramsView);
    if (initializeParams) {
      layer.initializeParams(views);
    }
    return views;
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
    return conf(conf.getLayer()).layout().views(gradientView);
  }
}
