package org.sparkpeft.models.peft;

import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * A parameter-efficient fine-tuning method. {@link PeftMethods#create} hands it a private copy of the base
 * graph's configuration in which every encoder parameter is frozen; the method edits that copy (adding
 * parameters to layers, e.g. LoRA matrices) and returns exactly the encoder parameters it created or selected
 * for training, as {@code layerName_paramName} keys. Freezing follows from that set alone (never from names).
 *
 * @param <C> the method's configuration record
 */
public interface PeftMethod<C extends PeftConfig> {

  /** The type name this method is registered under. */
  String type();

  /**
   * The {@code peft_type} of adapter_config.json: Hugging Face PEFT's name where PEFT has the method (LORA, IA3),
   * otherwise sparkpeft's own {@code SPARKPEFT_<TYPE>} (e.g. SPARKPEFT_BITFIT), which PEFT does not load.
   */
  default String peftType() {
    return "SPARKPEFT_" + type().toUpperCase(java.util.Locale.ROOT);
  }

  Class<C> configType();

  /** Every option the method takes, with type, range or accepted values, default and doc (declared in its package). */
  MethodOptions options();

  /**
   * The configuration from string options (PEFT's field names where PEFT has the method), read through
   * {@link #options()}: an undeclared option or a value its declaration refuses is an
   * {@link InvalidOptionException} naming the full key.
   */
  C parse(Map<String, String> options, HeadConfig head);

  /** Edits {@code encoder} for {@code config}; returns the encoder parameters to train. */
  Set<String> adapt(ComputationGraphConfiguration encoder, C config);

  /**
   * Writes this method's Hugging Face PEFT-named fields of adapter_config.json (after {@code task_type}, before
   * {@code bias}), defaults included; none by default.
   */
  default void putPeftFields(ObjectNode json, C config) {
  }

  /** The {@code bias} field of adapter_config.json: PEFT's "none", or "all" for a method that trains biases. */
  default String peftBias() {
    return "none";
  }

  /**
   * The PEFT tensor name of block parameter {@code param} when this method creates such parameters in the blocks
   * (LoRA's {@code query.loraA} is {@code attention.self.query.lora_A.weight}), otherwise null.
   */
  default TensorName blockTensorName(String param) {
    return null;
  }
}
