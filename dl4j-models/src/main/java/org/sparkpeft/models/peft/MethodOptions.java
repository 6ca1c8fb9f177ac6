package org.sparkpeft.models.peft;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every option one PEFT method declares (each method's package holds its declaration), and the one validator of a
 * method's string options: {@link #read} refuses an undeclared option (suggesting the nearest declared name) and
 * every value its declaration refuses, with an {@link InvalidOptionException} naming the full key and what is
 * accepted.
 *
 * @param method the method's type name
 * @param specs the declared options, in reference order
 */
public record MethodOptions(String method, List<OptionSpec> specs) {

  public MethodOptions {
    if (method == null || method.isBlank()) {
      throw new IllegalArgumentException("the options need their method's type name");
    }
    specs = List.copyOf(specs);
    Map<String, OptionSpec> seen = new LinkedHashMap<>();
    for (OptionSpec spec : specs) {
      if (seen.put(spec.name(), spec) != null) {
        throw new IllegalArgumentException(method + " declares option " + spec.name() + " twice");
      }
      try {
        spec.parse(spec.defaultValue());
      } catch (InvalidOptionException e) {
        throw new IllegalArgumentException(method + " option " + spec.name() + " has a default its declaration refuses: "
            + e.getMessage(), e);
      }
    }
  }

  public static MethodOptions of(String method, OptionSpec... specs) {
    return new MethodOptions(method, List.of(specs));
  }

  /** The declared option names, in reference order. */
  public List<String> names() {
    return specs.stream().map(OptionSpec::name).toList();
  }

  /**
   * The typed value of every declared option ({@code options} or the default), after refusing any option that is not
   * declared and any value its declaration refuses.
   *
   * @throws InvalidOptionException the first problem, in the order of {@code options}' undeclared keys, then the
   *     declaration order
   */
  public Values read(Map<String, String> options) {
    for (String name : options.keySet()) {
      if (specs.stream().noneMatch(s -> s.name().equals(name))) {
        throw unknown(name);
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (OptionSpec spec : specs) {
      values.put(spec.name(), spec.parse(options.get(spec.name())));
    }
    return new Values(method, Collections.unmodifiableMap(values));
  }

  private InvalidOptionException unknown(String name) {
    String key = OptionSpec.PREFIX + name;
    if (specs.isEmpty()) {
      return new InvalidOptionException(key, key + " is not an option of " + method + "; " + method
          + " takes no options");
    }
    String nearest = nearest(name);
    return new InvalidOptionException(key, key + " is not an option of " + method
        + (nearest == null ? "" : " (did you mean " + nearest + "?)") + "; " + method + " accepts "
        + String.join(", ", names()));
  }

  /** The declared name at the smallest edit distance from {@code name}, if it is close (a typo); else null. */
  private String nearest(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : names()) {
      int distance = distance(name.toLowerCase(java.util.Locale.ROOT), candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /**
   * A method's validated option values, typed as declared. Asking for an undeclared option or with the wrong type
   * is a programming error (IllegalStateException).
   */
  public record Values(String method, Map<String, Object> values) {

    public int integer(String name) {
      return get(name, Integer.class);
    }

    public double decimal(String name) {
      return get(name, Double.class);
    }

    public boolean bool(String name) {
      return get(name, Boolean.class);
    }

    public String choice(String name) {
      return get(name, String.class);
    }

    /** A text option's value (the same Java type as a choice). */
    public String text(String name) {
      return get(name, String.class);
    }

    @SuppressWarnings("unchecked")
    public List<String> choices(String name) {
      return get(name, List.class);
    }

    @SuppressWarnings("unchecked")
    public Set<Integer> integers(String name) {
      return get(name, Set.class);
    }

    private <T> T get(String name, Class<T> type) {
      Object value = values.get(name);
      if (!type.isInstance(value)) {
        throw new IllegalStateException(method + " declares no " + type.getSimpleName() + " option " + name);
      }
      return type.cast(value);
    }
  }
}
