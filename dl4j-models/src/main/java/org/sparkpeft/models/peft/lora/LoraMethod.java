package org.sparkpeft.models.peft.lora;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
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
  public MethodOptions options() {
    return LoraConfig.OPTIONS;
  }

  @Override
  public LoraConfig parse(Map<String, String> options, HeadConfig head) {
    return LoraConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, LoraConfig config) {
    Set<String> created = new LinkedHashSet<>();
    EncoderBlocks.selected(encoder, config.layers(), "lora").forEach((vertex, block) -> {
      block.addHook(new LoraHook(config.r(), config.scale(), config.dropout(), config.targetModules(), false));
      for (DenseRole role : config.targetModules()) {
        created.add(vertex + "_" + LoraHook.a(role));
        created.add(vertex + "_" + LoraHook.b(role));
      }
    });
    return created;
  }
}
