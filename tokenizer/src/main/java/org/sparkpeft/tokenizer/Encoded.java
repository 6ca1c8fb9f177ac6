package org.sparkpeft.tokenizer;

/**
 * One text as token ids (with [CLS]/[SEP]), unpadded.
 *
 * @param ids token ids, at most the tokenizer's max length
 * @param truncated whether the text had more tokens than the max length
 */
public record Encoded(int[] ids, boolean truncated) {

  public int length() {
    return ids.length;
  }
}
