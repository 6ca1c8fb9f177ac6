package org.sparkpeft.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class WindowsTest {

  private static final int CLS = 101;
  private static final int SEP = 102;

  /** [CLS] 1..n [SEP] with its special-token mask. */
  private static long[][] encoding(int n) {
    long[] ids = new long[n + 2];
    long[] special = new long[n + 2];
    ids[0] = CLS;
    special[0] = 1;
    for (int i = 1; i <= n; i++) {
      ids[i] = i;
    }
    ids[n + 1] = SEP;
    special[n + 1] = 1;
    return new long[][] {ids, special};
  }

  private static int[] window(int first, int last) {
    int[] out = new int[last - first + 3];
    out[0] = CLS;
    for (int i = first; i <= last; i++) {
      out[i - first + 1] = i;
    }
    out[out.length - 1] = SEP;
    return out;
  }

  @Test
  void aLongTextIsWindowsOfMaxLengthWithOverlapAndTheLastEndsAtTheEnd() {
    long[][] e = encoding(20);
    // max length 8: 6 content tokens per window; overlap 2: stride 4; windows start at 0, 4, 8, 12 and 14 (the last
    // one shifted back to end at token 20)
    Windows w = Windows.of(e[0], e[1], 8, 2, 16);
    assertFalse(w.capped());
    List<int[]> expected = List.of(window(1, 6), window(5, 10), window(9, 14), window(13, 18), window(15, 20));
    assertEquals(expected.size(), w.chunks().size());
    for (int k = 0; k < expected.size(); k++) {
      assertArrayEquals(expected.get(k), w.chunks().get(k), "window " + k);
      assertEquals(8, w.chunks().get(k).length);
    }
  }

  @Test
  void noOverlapTilesTheContentExactly() {
    long[][] e = encoding(12);
    Windows w = Windows.of(e[0], e[1], 8, 0, 16);
    assertEquals(2, w.chunks().size());
    assertArrayEquals(window(1, 6), w.chunks().get(0));
    assertArrayEquals(window(7, 12), w.chunks().get(1));
  }

  @Test
  void aShortTextIsOneWindowAsTruncationGivesIt() {
    long[][] e = encoding(5);
    Windows w = Windows.of(e[0], e[1], 8, 2, 16);
    assertEquals(1, w.chunks().size());
    assertArrayEquals(window(1, 5), w.chunks().get(0));
    assertFalse(w.capped());
  }

  @Test
  void moreWindowsThanMaxChunksAreSpreadEvenlyFromStartToEnd() {
    long[][] e = encoding(20);
    // 5 windows needed, 3 allowed: starts round(j * (20 - 6) / 2) = 0, 7, 14
    Windows w = Windows.of(e[0], e[1], 8, 2, 3);
    assertTrue(w.capped());
    assertEquals(3, w.chunks().size());
    assertArrayEquals(window(1, 6), w.chunks().get(0));
    assertArrayEquals(window(8, 13), w.chunks().get(1));
    assertArrayEquals(window(15, 20), w.chunks().get(2));
  }

  @Test
  void anOverlapThatLeavesNoStrideIsRefused() {
    long[][] e = encoding(20);
    assertThrows(IllegalArgumentException.class, () -> Windows.of(e[0], e[1], 8, 6, 16));
  }

  @Test
  void theTokenizersWindowsCoverTheWholeEncodingWithSpecialTokensAroundEach() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      text.append("sentence number ").append(i).append(" talks about chunking long documents. ");
    }
    // TAIL truncation encodes the whole text (HEAD truncation caps at the model's 512)
    try (TextTokenizer whole = TextTokenizer.fromJson("m", TextTokenizer.defaultTokenizerJson(), 100_000,
        Truncation.TAIL); TextTokenizer tokenizer =
        TextTokenizer.defaultModel(32)) {
      int[] all = whole.encode(text.toString()).ids();
      assertTrue(all.length > 600, "the text is long: " + all.length);
      Windows w = tokenizer.windows(text.toString(), 4, 1000);
      // 30 content tokens per window, stride 26
      int content = all.length - 2;
      assertEquals(1 + (content - 30 + 25) / 26, w.chunks().size());
      List<Integer> seen = new ArrayList<>();
      for (int k = 0; k < w.chunks().size(); k++) {
        int[] chunk = w.chunks().get(k);
        assertEquals(32, chunk.length);
        assertEquals(all[0], chunk[0]);
        assertEquals(all[all.length - 1], chunk[31]);
        int start = Math.min(k * 26, content - 30);
        for (int i = 0; i < 30; i++) {
          assertEquals(all[1 + start + i], chunk[1 + i], "window " + k + " token " + i);
          if (start + i >= seen.size()) {
            seen.add(chunk[1 + i]);
          }
        }
      }
      assertEquals(content, seen.size());
      // the truncating encoding is unchanged by the windows
      assertArrayEquals(w.chunks().get(0), tokenizer.encode(text.toString()).ids());
    }
  }
}
