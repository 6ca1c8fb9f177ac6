package org.sparkpeft.models.peft.auto;

import java.math.BigDecimal;

/**
 * How many encoder parameters {@code auto} may train: a count ({@code 50000}) or a percentage of the base's
 * parameters ({@code 0.5%}, rounded down). The head trains on top and is not counted.
 *
 * @param text the option as written
 */
public record Budget(String text) {

  public static final String KEY = "method.options.budget";

  public Budget {
    if (text == null) {
      throw new IllegalArgumentException(KEY + " must be given");
    }
    text = text.trim();
    parsePercent(text);
  }

  /** Whether the budget is a percentage. */
  public boolean relative() {
    return text.endsWith("%");
  }

  /** The parameter count for a base of {@code baseParams} parameters. */
  public long of(long baseParams) {
    BigDecimal value = parsePercent(text);
    if (!relative()) {
      return value.longValueExact();
    }
    return value.multiply(BigDecimal.valueOf(baseParams)).divide(BigDecimal.valueOf(100)).longValue();
  }

  private static BigDecimal parsePercent(String text) {
    boolean percent = text.endsWith("%");
    String number = percent ? text.substring(0, text.length() - 1).trim() : text;
    try {
      BigDecimal value = new BigDecimal(number);
      if (value.signum() >= 0 && (percent ? value.compareTo(BigDecimal.valueOf(100)) <= 0
          : value.stripTrailingZeros().scale() <= 0)) {
        return value;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException(KEY + " must be a parameter count (e.g. 50000) or a percentage of the base's "
        + "parameters (e.g. 0.5%), got '" + text + "'");
  }

  @Override
  public String toString() {
    return text;
  }
}
