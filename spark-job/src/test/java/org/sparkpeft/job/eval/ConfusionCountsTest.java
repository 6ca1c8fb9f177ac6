package org.sparkpeft.job.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConfusionCountsTest {

  @Test
  void scoresAKnownConfusionMatrix() {
    // true ham: 8 right, 2 called spam; true spam: 1 called ham, 4 right; loss 0.5 each
    ConfusionCounts left = new ConfusionCounts(2);
    ConfusionCounts right = new ConfusionCounts(2);
    for (int i = 0; i < 8; i++) {
      (i % 2 == 0 ? left : right).add(0, 0, 0.5);
    }
    left.add(0, 1, 0.5).add(0, 1, 0.5).add(1, 0, 0.5);
    for (int i = 0; i < 4; i++) {
      right.add(1, 1, 0.5);
    }
    ClassificationMetrics m = left.merge(right).metrics(List.of("ham", "spam"));
    assertEquals(15, m.examples());
    assertEquals(0.5, m.loss(), 1e-12);
    assertEquals(12.0 / 15, m.accuracy(), 1e-12);
    // ham: P = 8/9, R = 8/10; spam: P = 4/6, R = 4/5
    double hamF1 = 2 * (8.0 / 9) * 0.8 / (8.0 / 9 + 0.8);
    double spamF1 = 2 * (4.0 / 6) * 0.8 / (4.0 / 6 + 0.8);
    assertEquals(8.0 / 9, m.perClass().get(0).precision(), 1e-12);
    assertEquals(0.8, m.perClass().get(0).recall(), 1e-12);
    assertEquals(10, m.perClass().get(0).support());
    assertEquals(4.0 / 6, m.perClass().get(1).precision(), 1e-12);
    assertEquals((hamF1 + spamF1) / 2, m.macroF1(), 1e-12);
    assertArrayEquals(new long[] {8, 2}, m.confusion()[0]);
    assertArrayEquals(new long[] {1, 4}, m.confusion()[1]);
  }

  @Test
  void aClassNeverPredictedScoresZeroNotNaN() {
    ConfusionCounts counts = new ConfusionCounts(3).add(0, 0, 0.1).add(1, 0, 0.2).add(2, 2, 0.3);
    ClassificationMetrics m = counts.metrics(List.of("a", "b", "c"));
    assertEquals(0.0, m.perClass().get(1).precision());
    assertEquals(0.0, m.perClass().get(1).f1());
    assertEquals((2.0 / 3 + 0 + 1) / 3, m.macroF1(), 1e-12);
  }

  @Test
  void aClassTheSplitLacksIsLeftOutOfMacroF1() {
    // a test split that drew no row of class c, and a model that never predicts it: a and b are scored perfectly
    ConfusionCounts counts = new ConfusionCounts(3).add(0, 0, 0.1).add(0, 0, 0.1).add(1, 1, 0.2);
    ClassificationMetrics m = counts.metrics(List.of("a", "b", "c"));
    assertEquals(1.0, m.accuracy(), 1e-12);
    assertEquals(1.0, m.macroF1(), 1e-12);
    assertEquals(0, m.perClass().get(2).support());
    // predicting c, which the split lacks, is an error of a (its recall), not a zero in the average
    ClassificationMetrics wrong = new ConfusionCounts(3).add(0, 0, 0.1).add(0, 2, 0.1).add(1, 1, 0.2)
        .metrics(List.of("a", "b", "c"));
    double aF1 = 2 * 1.0 * 0.5 / 1.5;
    assertEquals((aF1 + 1) / 2, wrong.macroF1(), 1e-12);
    assertEquals(0.0, wrong.perClass().get(2).f1());
  }

  @Test
  void noExamplesGiveNaN() {
    assertEquals(Double.NaN, new ConfusionCounts(2).metrics(List.of("a", "b")).macroF1());
  }
}
