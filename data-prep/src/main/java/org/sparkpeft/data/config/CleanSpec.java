package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.UserError;

/**
 * Text cleaning.
 *
 * @param normalization Unicode normalisation before whitespace collapse and hashing
 * @param maxChars texts are cut to this many characters after extraction (emails: before cleaning)
 */
public record CleanSpec(Normalization normalization, int maxChars) implements Serializable {

  public CleanSpec {
    if (normalization == null) {
      normalization = Normalization.NFKC;
    }
    if (maxChars < 1) {
      throw new UserError("clean.max-chars must be positive, got " + maxChars + ".");
    }
  }
}
