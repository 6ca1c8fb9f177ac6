package org.sparkpeft.models.peft.head;

import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.PeftConfig;

/** Train only the classification head; the whole encoder stays frozen. */
public record HeadOnlyConfig(HeadConfig head) implements PeftConfig {

  public static final String TYPE = "head";

  public HeadOnlyConfig {
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
