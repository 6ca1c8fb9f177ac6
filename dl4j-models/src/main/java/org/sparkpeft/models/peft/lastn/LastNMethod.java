package org.sparkpeft.models.peft.lastn;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftMethod;

/** The {@code last_n} method: selects every parameter of the blocks with the {@code n} highest block indices. */
public final class LastNMethod implements PeftMethod<LastNConfig> {

  @Override
  public String type() {
    return LastNConfig.TYPE;
  }

  @Override
  public Class<LastNConfig> configType() {
    return LastNConfig.class;
  }

  @Override
  public MethodOptions options() {
    return LastNConfig.OPTIONS;
  }

  @Override
  public LastNConfig parse(Map<String, String> options, HeadConfig head) {
    return LastNConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, LastNConfig config) {
    Map<String, TransformerBlockConf> blocks = EncoderBlocks.of(encoder);
    if (config.n() > blocks.size()) {
      throw new IllegalArgumentException("last_n option n=" + config.n() + " exceeds the encoder's " + blocks.size()
          + " blocks");
    }
    int first = blocks.values().stream().mapToInt(TransformerBlockConf::getBlockIndex).max().orElseThrow()
        - config.n() + 1;
    Set<String> selected = new LinkedHashSet<>();
    blocks.forEach((vertex, block) -> {
      if (block.getBlockIndex() >= first) {
        block.layout().names().forEach(p -> selected.add(vertex + "_" + p));
      }
    });
    return selected;
  }

  @Override
  public void putPeftFields(ObjectNode json, LastNConfig config) {
    json.put("last_n", config.n());
  }
}
