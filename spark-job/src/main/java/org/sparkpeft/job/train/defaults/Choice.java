package org.sparkpeft.job.train.defaults;

/** One value the chooser decided: the key, its value as a user would write it, and why. */
public record Choice(String key, String value, String reason) {

  public Choice {
    if (key == null || key.isBlank() || value == null || reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a choice needs a key, a value and a reason");
    }
  }
}
