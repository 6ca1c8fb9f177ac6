package org.sparkpeft.data.config;

import java.io.Serializable;
import java.util.regex.Pattern;

import org.sparkpeft.data.UserError;

/**
 * Maps folder (group) names to labels for file sources: {@code easy-ham-*=ham}. A glob with {@code *} and
 * {@code ?}; the first matching rule wins; a folder no rule matches keeps its own name as label.
 */
public record LabelRule(String glob, String label) implements Serializable {

  public LabelRule {
    if (glob == null || glob.isBlank() || label == null || label.isBlank()) {
      throw new UserError("input.labels entries must look like 'folder-glob=label', got '" + glob + "="
          + label + "'.");
    }
  }

  /** Parses {@code glob=label}. */
  public static LabelRule parse(String rule) {
    int eq = rule.indexOf('=');
    if (eq < 0) {
      throw new UserError("input.labels entries must look like 'folder-glob=label', got '" + rule + "'.");
    }
    return new LabelRule(rule.substring(0, eq).trim(), rule.substring(eq + 1).trim());
  }

  public boolean matches(String group) {
    return Pattern.compile(regex()).matcher(group).matches();
  }

  /** The glob as a Java regular expression (also usable in Spark SQL's rlike). */
  public String regex() {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return "^" + re + "$";
  }

  @Override
  public String toString() {
    return glob + "=" + label;
  }
}
