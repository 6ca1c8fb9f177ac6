package org.sparkpeft.models.peft;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A base graph adapted by a PEFT method: the trainable graph (encoder + head) and the explicit set of its
 * trainable parameters ({@code layerName_paramName}, as in {@link ComputationGraph#paramTable()}); every other
 * parameter is frozen (NoOp updater, no regularisation, no gradient).
 */
public record PeftModel(ComputationGraph graph, Set<String> trainableParams, PeftConfig config) {

  public PeftModel {
    trainableParams = Set.copyOf(trainableParams);
  }

  /** The trainable parameters' views, in the graph's parameter order. */
  public Map<String, INDArray> trainableParamTable() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    graph.paramTable().forEach((key, value) -> {
      if (trainableParams.contains(key)) {
        out.put(key, value);
      }
    });
    return out;
  }

  public long trainableCount() {
    return trainableParamTable().values().stream().mapToLong(INDArray::length).sum();
  }

  public long totalCount() {
    return graph.numParams();
  }

  /** Trainable parameter count per layer (vertex name), in graph order: the per-group breakdown of the report. */
  public Map<String, Long> trainableByLayer() {
    Map<String, Long> out = new LinkedHashMap<>();
    trainableParamTable().forEach((key, value) ->
        out.merge(key.substring(0, key.lastIndexOf('_')), value.length(), Long::sum));
    return out;
  }

  /**
   * Trainable parameter count per kind, in graph order: "head" for the classification head, and for encoder
   * parameters the group their layer reports ("lora", "ia3", "adapter", "bias", "weight").
   */
  public Map<String, Long> trainableByGroup() {
    Map<String, Long> out = new LinkedHashMap<>();
    trainableParamTable().forEach((key, value) -> {
      String vertex = key.substring(0, key.lastIndexOf('_'));
      String param = key.substring(key.lastIndexOf('_') + 1);
      String group = graph.getLayer(vertex).conf().getLayer()
          instanceof org.sparkpeft.models.bert.layers.SparkpeftLayerConf conf ? conf.paramGroup(param) : "head";
      out.merge(group, value.length(), Long::sum);
    });
    return out;
  }

  /** Like PEFT's print_trainable_parameters, plus the per-kind and per-layer breakdowns. */
  public String summary() {
    return String.format(java.util.Locale.ROOT,
        "%s: trainable params: %,d || all params: %,d || trainable%%: %.4f || by kind %s || by layer %s",
        config.type(), trainableCount(), totalCount(), 100.0 * trainableCount() / totalCount(), trainableByGroup(),
        trainableByLayer());
  }
}
