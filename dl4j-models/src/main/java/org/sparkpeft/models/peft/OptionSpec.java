package org.sparkpeft.models.peft;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The declaration of one option of a PEFT method (Spark ML's typed params, in miniature): its name (Hugging Face
 * PEFT's where PEFT has the method), type, accepted range or values, default and doc. {@link #parse} turns the
 * option's string value into the typed value or refuses it with one sentence naming the full key
 * ({@value #PREFIX}{@code <name>}) and what is accepted. A blank value means the default.
 *
 * @param name option name, e.g. {@code r}
 * @param type what the value is
 * @param range for {@link Type#INT}, {@link Type#DOUBLE} and the elements of {@link Type#INT_LIST}; else null
 * @param values accepted names for {@link Type#ENUM} and {@link Type#ENUM_LIST} (lower case); else empty
 * @param all for {@link Type#ENUM_LIST}, a shorthand that alone means every value (e.g. {@code all_linear}), or null
 * @param defaultValue the value when the option is absent, as the user would write it ("" for an empty list)
 * @param doc one line for the reference
 */
public record OptionSpec(String name, Type type, Range range, List<String> values, String all, String defaultValue,
                         String doc) {

  /** How every option key is named to the user (the job config's and adapter_config.json's place for them). */
  public static final String PREFIX = "method.options.";

  /** The value types an option can have. */
  public enum Type {
    /** A whole number within {@link #range}. */
    INT,
    /** A finite number within {@link #range}. */
    DOUBLE,
    /** {@code true} or {@code false}, nothing else. */
    BOOL,
    /** One of {@link #values}. */
    ENUM,
    /** One or more of {@link #values}, comma-separated, or {@link #all} alone. */
    ENUM_LIST,
    /** Whole numbers within {@link #range}, comma-separated; empty allowed. */
    INT_LIST,
    /** Free text (a path, a budget such as {@code 0.5%}); the method checks it when it builds its config. */
    TEXT
  }

  /**
   * An interval of numbers, each end open or closed; an infinite end is unbounded.
   *
   * @param low lower end
   * @param lowOpen whether {@code low} itself is excluded
   * @param high upper end
   * @param highOpen whether {@code high} itself is excluded
   */
  public record Range(double low, boolean lowOpen, double high, boolean highOpen) {

    public Range {
      if (Double.isNaN(low) || Double.isNaN(high) || low > high) {
        throw new IllegalArgumentException("not a range: " + low + ", " + high);
      }
    }

    /** {@code >= low}. */
    public static Range atLeast(double low) {
      return new Range(low, false, Double.POSITIVE_INFINITY, true);
    }

    /** {@code > low}. */
    public static Range above(double low) {
      return new Range(low, true, Double.POSITIVE_INFINITY, true);
    }

    /** {@code [low, high)}. */
    public static Range closedOpen(double low, double high) {
      return new Range(low, false, high, true);
    }

    public boolean contains(double value) {
      return (lowOpen ? value > low : value >= low) && (highOpen ? value < high : value <= high);
    }

    /** E.g. {@code >= 1}, {@code > 0}, {@code in [0, 1)}. */
    @Override
    public String toString() {
      if (high == Double.POSITIVE_INFINITY) {
        return (lowOpen ? "> " : ">= ") + number(low);
      }
      return "in " + (lowOpen ? "(" : "[") + number(low) + ", " + number(high) + (highOpen ? ")" : "]");
    }

    private static String number(double value) {
      return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
  }

  public OptionSpec {
    if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("an option name is lower snake case, got " + name);
    }
    if (type == null || doc == null || defaultValue == null) {
      throw new IllegalArgumentException("option " + name + " needs a type, a default and a doc");
    }
    boolean numeric = type == Type.INT || type == Type.DOUBLE || type == Type.INT_LIST;
    if (numeric != (range != null)) {
      throw new IllegalArgumentException("option " + name + ": a range is for numeric options only, and they need one");
    }
    values = values == null ? List.of() : List.copyOf(values);
    boolean named = type == Type.ENUM || type == Type.ENUM_LIST;
    if (named == values.isEmpty()) {
      throw new IllegalArgumentException("option " + name + ": accepted values are for enum options only, and they need them");
    }
    if (values.stream().anyMatch(v -> !v.equals(v.toLowerCase(Locale.ROOT)))) {
      throw new IllegalArgumentException("option " + name + ": accepted values are lower case (input is matched so)");
    }
    if (all != null && type != Type.ENUM_LIST) {
      throw new IllegalArgumentException("option " + name + ": an 'all' shorthand is for enum lists only");
    }
  }

  public static OptionSpec integer(String name, int defaultValue, int min, String doc) {
    return new OptionSpec(name, Type.INT, Range.atLeast(min), List.of(), null, Integer.toString(defaultValue), doc);
  }

  public static OptionSpec decimal(String name, double defaultValue, Range range, String doc) {
    return new OptionSpec(name, Type.DOUBLE, range, List.of(), null, Range.number(defaultValue), doc);
  }

  public static OptionSpec bool(String name, boolean defaultValue, String doc) {
    return new OptionSpec(name, Type.BOOL, null, List.of(), null, Boolean.toString(defaultValue), doc);
  }

  public static OptionSpec choice(String name, String defaultValue, List<String> values, String doc) {
    return new OptionSpec(name, Type.ENUM, null, values, null, defaultValue, doc);
  }

  /** Comma-separated names out of {@code values}, or {@code all} alone (null: no shorthand). */
  public static OptionSpec choices(String name, String defaultValue, List<String> values, String all, String doc) {
    return new OptionSpec(name, Type.ENUM_LIST, null, values, all, defaultValue, doc);
  }

  /** Comma-separated whole numbers {@code >= min}; empty (the default) allowed. */
  public static OptionSpec integers(String name, int min, String doc) {
    return new OptionSpec(name, Type.INT_LIST, Range.atLeast(min), List.of(), null, "", doc);
  }

  /** Free text, checked by the method's config record; {@code ""} (the default) allowed. */
  public static OptionSpec text(String name, String defaultValue, String doc) {
    return new OptionSpec(name, Type.TEXT, null, List.of(), null, defaultValue, doc);
  }

  /** The full key, e.g. {@code method.options.r}. */
  public String key() {
    return PREFIX + name;
  }

  /**
   * The typed value of {@code raw} (null or blank: the default): Integer, Double, Boolean, String (an enum value),
   * an unmodifiable List of String (enum list, in the user's order, without repeats; {@link #all} expanded) or an
   * unmodifiable sorted Set of Integer, or the trimmed String of a text option.
   *
   * @throws InvalidOptionException naming {@link #key()} and what is accepted
   */
  public Object parse(String raw) {
    String value = raw == null || raw.isBlank() ? defaultValue : raw.trim();
    return switch (type) {
      case INT -> parseInt(value, value);
      case DOUBLE -> parseDouble(value);
      case BOOL -> parseBool(value);
      case ENUM -> parseEnum(value);
      case ENUM_LIST -> parseEnums(value);
      case INT_LIST -> parseInts(value);
      case TEXT -> value;
    };
  }

  private Integer parseInt(String element, String value) {
    try {
      int parsed = Integer.parseInt(element.trim());
      if (range.contains(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw refused(type == Type.INT_LIST ? "whole numbers " + range + " separated by commas"
        : "an integer " + range, value);
  }

  private Double parseDouble(String value) {
    try {
      double parsed = Double.parseDouble(value);
      if (range.contains(parsed) && Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw refused("a number " + range, value);
  }

  private Boolean parseBool(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw refused("true or false", value);
    };
  }

  private String parseEnum(String value) {
    String name = value.toLowerCase(Locale.ROOT);
    if (values.contains(name)) {
      return name;
    }
    throw refused("one of " + String.join(", ", values), value);
  }

  private List<String> parseEnums(String value) {
    List<String> names = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      names.add(part.trim().toLowerCase(Locale.ROOT));
    }
    if (all != null && names.equals(List.of(all))) {
      return values;
    }
    if (!names.isEmpty() && values.containsAll(names)) {
      return List.copyOf(new LinkedHashSet<>(names));
    }
    throw refused("one or more of " + String.join(", ", values) + " separated by commas"
        + (all == null ? "" : ", or " + all + " alone"), value);
  }

  private Set<Integer> parseInts(String value) {
    Set<Integer> out = new TreeSet<>();
    if (value.isEmpty()) {
      return Collections.unmodifiableSet(out);
    }
    for (String part : value.split(",", -1)) {
      out.add(parseInt(part, value));
    }
    return Collections.unmodifiableSet(out);
  }

  private InvalidOptionException refused(String accepted, String value) {
    return new InvalidOptionException(key(), key() + " must be " + accepted + ", got '" + value + "'");
  }
}
