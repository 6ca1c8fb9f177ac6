package org.sparkpeft.data.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparkpeft.data.clean.TextCleaner;
import org.sparkpeft.data.config.SplitSpec;

class SplitterTest {

  private static final SplitSpec SPEC = new SplitSpec(42, 0.8, 0.1, 0.1);

  @Test
  void aRowsSplitDependsOnlyOnSeedLabelAndHash() {
    String hash = TextCleaner.sha256("some text");
    String first = Splitter.assign(SPEC, "spam", hash);
    for (int i = 0; i < 5; i++) {
      assertEquals(first, Splitter.assign(new SplitSpec(42, 0.8, 0.1, 0.1), "spam", hash));
    }
  }

  @Test
  void ratiosHoldWithinEachLabel() {
    for (String label : new String[] {"a", "b"}) {
      Map<String, Integer> counts = new HashMap<>();
      int n = label.equals("a") ? 20_000 : 2_000;
      for (int i = 0; i < n; i++) {
        counts.merge(Splitter.assign(SPEC, label, TextCleaner.sha256(label + i)), 1, Integer::sum);
      }
      assertEquals(0.8, counts.get("train") / (double) n, 0.03, label + " " + counts);
      assertEquals(0.1, counts.get("val") / (double) n, 0.02, label + " " + counts);
      assertEquals(0.1, counts.get("test") / (double) n, 0.02, label + " " + counts);
    }
  }

  @Test
  void anotherSeedGivesAnotherSplit() {
    int moved = 0;
    SplitSpec other = new SplitSpec(7, 0.8, 0.1, 0.1);
    for (int i = 0; i < 1000; i++) {
      String hash = TextCleaner.sha256("row " + i);
      if (!Splitter.assign(SPEC, "x", hash).equals(Splitter.assign(other, "x", hash))) {
        moved++;
      }
    }
    assertTrue(moved > 200 && moved < 500, "about 1 - (0.64 + 0.01 + 0.01) of rows move: " + moved);
  }

  @Test
  void aZeroRatioGetsNoRows() {
    SplitSpec noTest = new SplitSpec(1, 0.9, 0.1, 0.0);
    for (int i = 0; i < 2000; i++) {
      assertTrue(!Splitter.assign(noTest, "x", TextCleaner.sha256("r" + i)).equals("test"));
    }
  }
}
