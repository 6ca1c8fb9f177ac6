package org.sparkpeft.models.peft;

import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the config records share. (String options are read through each method's {@link MethodOptions}.)
 */
public final class PeftOptions {

  private PeftOptions() {}

  /**
   * Validated block indices of a config record ({@code layers_to_transform}): non-null, each >= 0; an unmodifiable
   * sorted copy. Empty = every block.
   */
  public static Set<Integer> checkedLayers(Set<Integer> layers, String method) {
    if (layers == null) {
      throw new IllegalArgumentException(method + " layers must be given (empty = every block)");
    }
    for (int layer : layers) {
      if (layer < 0) {
        throw new IllegalArgumentException(method + " option layers_to_transform must be >= 0, got " + layer);
      }
    }
    return java.util.Collections.unmodifiableSet(new TreeSet<>(layers));
  }
}
