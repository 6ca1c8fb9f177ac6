package org.sparkpeft.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * A long text as the windows a chunking reader sees: each window is at most max length tokens, the tokenizer's
 * leading and trailing special tokens ([CLS] ... [SEP]) around a run of content tokens.
 *
 * @param chunks the windows' token ids, in text order
 * @param capped whether the text needed more than max chunks windows (then the windows leave gaps between them)
 */
public record Windows(List<int[]> chunks, boolean capped) {

  public Windows {
    chunks = List.copyOf(chunks);
  }

  /**
   * Windows over the full encoding {@code ids} (special tokens marked in {@code special}, as the tokenizer's template
   * put them at both ends). With room = maxLength - specials content tokens per window and stride = room - overlap,
   * window k holds content tokens [k x stride, k x stride + room), the last one ending at the text's end; a text that
   * fits one window is one window (as truncation would give it). When more than {@code maxChunks} windows are
   * needed, {@code maxChunks} windows of room tokens start at evenly spaced positions from the first content token
   * to the last full window (round(j x (content - room) / (maxChunks - 1))), so the whole text is sampled.
   */
  public static Windows of(long[] ids, long[] special, int maxLength, int overlap, int maxChunks) {
    if (maxChunks < 1) {
      throw new IllegalArgumentException("max chunks must be >= 1, got " + maxChunks);
    }
    SpecialEnds ends = SpecialEnds.of(ids, special);
    int lead = ends.lead();
    int trail = ends.trail();
    int content = ends.content(ids.length);
    int room = ends.room(maxLength);
    if (room < 1) {
      throw new IllegalArgumentException("max length " + maxLength + " leaves no room beside the tokenizer's "
          + (lead + trail) + " special tokens");
    }
    if (overlap < 0 || overlap >= room) {
      throw new IllegalArgumentException("overlap must lie in [0, " + (room - 1) + "] tokens, got " + overlap);
    }
    List<int[]> out = new ArrayList<>();
    if (content <= room) {
      out.add(window(ids, lead, trail, 0, content));
      return new Windows(out, false);
    }
    int stride = room - overlap;
    long needed = 1 + ((long) content - room + stride - 1) / stride;
    if (needed <= maxChunks) {
      for (int k = 0; k < needed; k++) {
        int start = Math.min(k * stride, content - room);
        out.add(window(ids, lead, trail, start, room));
      }
      return new Windows(out, false);
    }
    int last = content - room;
    for (int j = 0; j < maxChunks; j++) {
      int start = maxChunks == 1 ? 0 : (int) Math.round((double) j * last / (maxChunks - 1));
      out.add(window(ids, lead, trail, start, room));
    }
    return new Windows(out, true);
  }

  /** The special tokens around content tokens [start, start + length). */
  private static int[] window(long[] ids, int lead, int trail, int start, int length) {
    int[] out = new int[lead + length + trail];
    int n = 0;
    for (int i = 0; i < lead; i++) {
      out[n++] = Math.toIntExact(ids[i]);
    }
    for (int i = 0; i < length; i++) {
      out[n++] = Math.toIntExact(ids[lead + start + i]);
    }
    for (int i = ids.length - trail; i < ids.length; i++) {
      out[n++] = Math.toIntExact(ids[i]);
    }
    return out;
  }
}
