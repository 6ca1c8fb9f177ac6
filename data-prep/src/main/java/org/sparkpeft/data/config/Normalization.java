package org.sparkpeft.data.config;

import java.text.Normalizer;
import java.util.Locale;

import org.sparkpeft.data.UserError;

/** Unicode normalisation applied before whitespace collapse and hashing. */
public enum Normalization {
  NFC(Normalizer.Form.NFC),
  NFKC(Normalizer.Form.NFKC),
  NONE(null);

  private final Normalizer.Form form;

  Normalization(Normalizer.Form form) {
    this.form = form;
  }

  public String apply(String text) {
    return form == null ? text : Normalizer.normalize(text, form);
  }

  public static Normalization parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserError("clean.normalization must be NFC, NFKC or NONE, got '" + value + "'.");
    }
  }
}
