package org.sparkpeft.tokenizer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which tokens of a text longer than the max length are kept. The special tokens the tokenizer adds ([CLS]/[SEP]
 * for BERT) are always kept; the strategies differ in which content tokens fill the rest.
 */
public enum Truncation {
  /** The first tokens (Hugging Face's default). */
  HEAD,
  /** The last tokens. */
  TAIL,
  /**
   * The first half and the last half of the room (the head gets the odd token): the opening and the end of a long
   * text, where emails carry their greeting and their signature, list footer or unsubscribe line (Sun et al., "How
   * to Fine-Tune BERT for Text Classification", 2019, found head+tail the best truncation for long documents).
   */
  HEAD_TAIL;

  /** The strategy named {@code text} (case-insensitive, {@code -} or {@code _}). */
  public static Truncation parse(String text) {
    String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Truncation t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("truncation must be one of " + names() + ", got '" + text + "'");
  }

  /** The name configs use: {@code head}, {@code tail}, {@code head_tail}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static String names() {
    return Arrays.stream(values()).map(Truncation::configName).collect(Collectors.joining(", "));
  }

  /**
   * The content positions {@code [0, content)} to keep in {@code room} slots: the head ones first, then the tail
   * ones, as {head count, tail count}. Cutting a row this strategy already cut, to fewer slots, keeps what cutting the
   * whole text to those slots would (the head and tail shrink from their inner ends).
   */
  public int[] split(int content, int room) {
    if (content <= room) {
      return new int[] {content, 0};
    }
    return switch (this) {
      case HEAD -> new int[] {room, 0};
      case TAIL -> new int[] {0, room};
      case HEAD_TAIL -> new int[] {(room + 1) / 2, room / 2};
    };
  }
}
