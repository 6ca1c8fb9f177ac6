package org.sparkpeft.models.peft.lora;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftConfigFields;
import org.sparkpeft.models.peft.PeftMethod;
import org.sparkpeft.models.peft.TensorName;

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

  @Override
  public void putPeftFields(ObjectNode json, LoraConfig lora) {
    json.put("r", lora.r());
    json.put("lora_alpha", lora.alpha());
    json.put("lora_dropout", lora.dropout());
    PeftConfigFields.modules(json.putArray("target_modules"), lora.targetModules());
    PeftConfigFields.layers(json, lora.layers());
    json.put("use_rslora", lora.useRslora());
    json.put("fan_in_fan_out", false);
    json.put("init_lora_weights", true);
  }

  /** PEFT's {@code <module>.lora_A.weight} [r, in] and {@code <module>.lora_B.weight} [out, r]. */
  @Override
  public TensorName blockTensorName(String param) {
    for (DenseRole role : DenseRole.values()) {
      if (param.equals(LoraHook.a(role))) {
        return new TensorName(role.modulePath() + ".lora_A.weight", true);
      }
      if (param.equals(LoraHook.b(role))) {
        return new TensorName(role.modulePath() + ".lora_B.weight", true);
      }
    }
    return null;
  }
}
