package org.sparkpeft.models.peft.head;

import java.util.Map;

import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftConfig;

/** Train only the classification head; the whole encoder stays frozen. */
public record HeadOnlyConfig(HeadConfig head) implements PeftConfig {

  public static final String TYPE = "head";

  public HeadOnlyConfig {
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  /** No options of its own. */
  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE);

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * No options of its own: any option is refused.
   *
   * @throws org.sparkpeft.models.peft.InvalidOptionException for any option
   */
  public static HeadOnlyConfig parse(Map<String, String> options, HeadConfig head) {
    OPTIONS.read(options);
    return new HeadOnlyConfig(head);
  }
}
