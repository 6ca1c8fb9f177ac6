package org.sparkpeft.models.io;

import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftMethod;
import org.sparkpeft.models.peft.PeftMethods;

/**
 * The top-level, Hugging Face PEFT-named fields of adapter_config.json, from a method's configuration (defaults
 * included). For readers; sparkpeft itself loads from its own block. {@code peft_type} is PEFT's name (LORA, IA3)
 * or sparkpeft's {@code SPARKPEFT_<TYPE>} for methods PEFT does not have (head, last_n, bitfit, adapter); each
 * method writes its own fields ({@link PeftMethod#putPeftFields}) and its {@code bias} value.
 */
final class PeftFields {

  private PeftFields() {}

  static void put(ObjectNode json, PeftConfig config) {
    PeftMethod<?> method = PeftMethods.get(config.type());
    json.put("peft_type", method.peftType());
    json.put("task_type", "SEQ_CLS");
    putMethodFields(method, json, config);
    json.put("bias", method.peftBias());
    ArrayNode save = json.putArray("modules_to_save").add(HeadConfig.OUTPUT);
    if (config.head().hidden() > 0) {
      save.add(HeadConfig.HIDDEN);
    }
  }

  private static <C extends PeftConfig> void putMethodFields(PeftMethod<C> method, ObjectNode json, PeftConfig config) {
    method.putPeftFields(json, method.configType().cast(config));
  }
}
