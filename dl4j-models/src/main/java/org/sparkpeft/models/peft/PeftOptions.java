package org.sparkpeft.models.peft;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reading of a method's string options (PEFT's field names): a malformed value is an
 * IllegalArgumentException naming the option and the value.
 */
public final class PeftOptions {

  private PeftOptions() {}

  public static int integer(Map<String, String> options, String key, int defaultValue) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + key + " must be an integer, got '" + value + "'", e);
    }
  }

  public static boolean bool(Map<String, String> options, String key, boolean defaultValue) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("option " + key + " must be true or false, got '" + value + "'");
    };
  }

  /** Comma-separated names, trimmed; {@code defaultValue} when absent. */
  public static List<String> names(Map<String, String> options, String key, String defaultValue) {
    String value = options.getOrDefault(key, defaultValue);
    List<String> names = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (names.isEmpty()) {
      throw new IllegalArgumentException("option " + key + " must name at least one module, got '" + value + "'");
    }
    return names;
  }

  /** {@code layers_to_transform}: comma-separated block indices (>= 0), empty or absent = every block. */
  public static Set<Integer> layers(Map<String, String> options) {
    String value = options.getOrDefault("layers_to_transform", "").trim();
    Set<Integer> layers = new TreeSet<>();
    if (value.isEmpty()) {
      return layers;
    }
    for (String part : value.split(",")) {
      try {
        int index = Integer.parseInt(part.trim());
        if (index < 0) {
          throw new NumberFormatException();
        }
        layers.add(index);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("option layers_to_transform must be block indices >= 0 separated by "
            + "commas, got '" + value + "'", e);
      }
    }
    return layers;
  }

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
