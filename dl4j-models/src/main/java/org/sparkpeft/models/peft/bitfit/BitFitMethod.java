package org.sparkpeft.models.peft.bitfit;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftMethod;

/** The {@code bitfit} method: selects every parameter each encoder layer declares a bias. */
public final class BitFitMethod implements PeftMethod<BitFitConfig> {

  @Override
  public String type() {
    return BitFitConfig.TYPE;
  }

  @Override
  public Class<BitFitConfig> configType() {
    return BitFitConfig.class;
  }

  @Override
  public MethodOptions options() {
    return BitFitConfig.OPTIONS;
  }

  @Override
  public BitFitConfig parse(Map<String, String> options, HeadConfig head) {
    return BitFitConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, BitFitConfig config) {
    Set<String> selected = new LinkedHashSet<>();
    for (Map.Entry<String, GraphVertex> e : encoder.getVertices().entrySet()) {
      if (e.getValue() instanceof LayerVertex vertex && vertex.getLayerConf().getLayer() instanceof SparkpeftLayerConf layer) {
        layer.layout().names().stream().filter(layer::isBiasParam).forEach(p -> selected.add(e.getKey() + "_" + p));
      }
    }
    if (selected.isEmpty()) {
      throw new IllegalArgumentException("bitfit found no bias in the encoder");
    }
    return selected;
  }

  /** BitFit trains every bias: PEFT's {@code bias = "all"}. */
  @Override
  public String peftBias() {
    return "all";
  }
}
