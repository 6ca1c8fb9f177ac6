package org.sparkpeft.tokenizer;

/**
 * The special tokens the tokenizer's template put at both ends of a full encoding ([CLS] ... [SEP]): how many lead
 * and how many trail the content tokens.
 */
record SpecialEnds(int lead, int trail) {

  /** Counts them in {@code ids}, where {@code special[i] != 0} marks a special token. */
  static SpecialEnds of(long[] ids, long[] special) {
    int lead = 0;
    while (lead < ids.length && special[lead] != 0) {
      lead++;
    }
    int trail = 0;
    while (trail < ids.length - lead && special[ids.length - 1 - trail] != 0) {
      trail++;
    }
    return new SpecialEnds(lead, trail);
  }

  /** Content tokens of an encoding of {@code length} ids. */
  int content(int length) {
    return length - lead - trail;
  }

  /** Content tokens that fit in {@code maxLength}; an error sentence when the special tokens alone do not fit. */
  int room(int maxLength) {
    int room = maxLength - lead - trail;
    if (room < 0) {
      throw new IllegalArgumentException("max length " + maxLength + " leaves no room beside the tokenizer's "
          + (lead + trail) + " special tokens");
    }
    return room;
  }
}
