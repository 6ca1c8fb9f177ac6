package org.sparkpeft.models.io;

import java.util.Set;

import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.adapter.AdapterConfig;
import org.sparkpeft.models.peft.bitfit.BitFitConfig;
import org.sparkpeft.models.peft.ia3.Ia3Config;
import org.sparkpeft.models.peft.lastn.LastNConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/**
 * The top-level, Hugging Face PEFT-named fields of adapter_config.json, from a method's configuration (defaults
 * included). For readers; sparkpeft itself loads from its own block. {@code peft_type} is PEFT's name (LORA, IA3)
 * or sparkpeft's {@code SPARKPEFT_<TYPE>} for methods PEFT does not have (head, last_n, bitfit, adapter).
 * {@code target_modules} holds PEFT module-name suffixes (query, key, value, attention.output.dense,
 * intermediate.dense, output.dense).
 */
final class PeftFields {

  private PeftFields() {}

  static void put(ObjectNode json, PeftConfig config) {
    json.put("peft_type", PeftMethods.get(config.type()).peftType());
    json.put("task_type", "SEQ_CLS");
    String bias = "none";
    if (config instanceof LoraConfig lora) {
      json.put("r", lora.r());
      json.put("lora_alpha", lora.alpha());
      json.put("lora_dropout", lora.dropout());
      modules(json.putArray("target_modules"), lora.targetModules());
      layers(json, lora.layers());
      json.put("use_rslora", lora.useRslora());
      json.put("fan_in_fan_out", false);
      json.put("init_lora_weights", true);
    } else if (config instanceof Ia3Config ia3) {
      modules(json.putArray("target_modules"), ia3.targetModules());
      modules(json.putArray("feedforward_modules"), ia3.feedforwardModules());
      layers(json, ia3.layers());
      json.put("fan_in_fan_out", false);
      json.put("init_ia3_weights", true);
    } else if (config instanceof AdapterConfig adapter) {
      json.put("adapter_size", adapter.size());
      json.put("adapter_activation", adapter.activation().configName());
      json.put("adapter_residual", adapter.residual());
      json.putArray("adapter_modules").add("attention.output.adapter").add("output.adapter");
      layers(json, adapter.layers());
    } else if (config instanceof LastNConfig lastN) {
      json.put("last_n", lastN.n());
    } else if (config instanceof BitFitConfig) {
      bias = "all";
    }
    json.put("bias", bias);
    ArrayNode save = json.putArray("modules_to_save").add(HeadConfig.OUTPUT);
    if (config.head().hidden() > 0) {
      save.add(HeadConfig.HIDDEN);
    }
  }

  private static void modules(ArrayNode out, Set<DenseRole> roles) {
    roles.forEach(role -> out.add(role == DenseRole.QUERY || role == DenseRole.KEY || role == DenseRole.VALUE
        ? role.configName() : role.modulePath()));
  }

  private static void layers(ObjectNode json, Set<Integer> layers) {
    if (layers.isEmpty()) {
      json.putNull("layers_to_transform");
    } else {
      layers.forEach(json.withArray("layers_to_transform")::add);
    }
  }
}
