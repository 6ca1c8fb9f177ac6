package org.sparkpeft.models.peft.lora;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.PeftMethod;

/** The {@code lora} method: adds A and B to the targeted projections of the targeted blocks and trains exactly those. */
public final class LoraMethod implements PeftMethod<LoraConfig> {

  @Override
  public String type() {
    return LoraConfig.TYPE;
  }

  @Override
  public String peftType() {
    return "LORA";
  }

  @Override
  public Class<LoraConfig> configType() {
    return LoraConfig.class;
  }

  @Override
  public LoraConfig parse(Map<String, String> options, HeadConfig head) {
    return LoraConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, LoraConfig config) {
    Set<String> created = new LinkedHashSet<>();
    Set<Integer> found = new LinkedHashSet<>();
    for (Map.Entry<String, GraphVertex> e : encoder.getVertices().entrySet()) {
      if (e.getValue() instanceof LayerVertex vertex
          && vertex.getLayerConf().getLayer() instanceof TransformerBlockConf block
          && config.targetsLayer(block.getBlockIndex())) {
        block.setLora(config.r(), config.scale(), config.dropout(), config.targetModules());
        found.add(block.getBlockIndex());
        for (DenseRole role : config.targetModules()) {
          created.add(e.getKey() + "_" + TransformerBlockConf.loraA(role));
          created.add(e.getKey() + "_" + TransformerBlockConf.loraB(role));
        }
      }
    }
    if (found.isEmpty() || !found.containsAll(config.layers())) {
      Set<Integer> missing = new LinkedHashSet<>(config.layers());
      missing.removeAll(found);
      throw new IllegalArgumentException("LoRA layers " + (found.isEmpty() ? config.layers() : missing)
          + " are not blocks of this encoder");
    }
    return created;
  }
}
