package org.sparkpeft.models.peft;

/**
 * The configuration of one PEFT method: its registry type name and the classification head it trains (every
 * method trains a head, like PEFT's {@code modules_to_save}). Implementations are immutable records validated in
 * their compact constructors.
 */
public interface PeftConfig {

  /** The method's type name in {@link PeftMethods} (e.g. "lora"). */
  String type();

  HeadConfig head();
}
