package org.sparkpeft.job.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class DocumentScoresTest {

  @Test
  void aDocumentIsTheMeanOfItsWindowsProbabilitiesCountedOnce() {
    DocumentScores scores = new DocumentScores(2)
        // document a (label 0): windows vote 1, 0, 0 by majority, but the mean is (0.9+0.4+0.45)/3 = 0.5833 for
        // class 1: predicted 1 (majority voting would say 0)
        .add("a", 0, new double[] {0.1, 0.9})
        .add("a", 0, new double[] {0.6, 0.4})
        .add("a", 0, new double[] {0.55, 0.45})
        // document b (label 1): one window
        .add("b", 1, new double[] {0.3, 0.7})
        // document c (label 1): mean (0.8+0.3)/2 = 0.55 for class 0: predicted 0
        .add("c", 1, new double[] {0.8, 0.2})
        .add("c", 1, new double[] {0.3, 0.7});
    assertEquals(3, scores.size());
    assertArrayEquals(new double[] {1.25 / 3, 1.75 / 3}, scores.mean("a"), 1e-12);
    assertArrayEquals(new double[] {0.55, 0.45}, scores.mean("c"), 1e-12);

    ClassificationMetrics m = scores.addTo(new ConfusionCounts(2)).metrics(List.of("x", "y"));
    assertEquals(3, m.examples(), "one example per document");
    // a: 0 -> 1, b: 1 -> 1, c: 1 -> 0
    assertArrayEquals(new long[] {0, 1}, m.confusion()[0]);
    assertArrayEquals(new long[] {1, 1}, m.confusion()[1]);
    assertEquals(1.0 / 3, m.accuracy(), 1e-12);
    // class x: precision 0/1, recall 0/1 -> F1 0; class y: precision 1/2, recall 1/2 -> F1 0.5
    assertEquals(0.25, m.macroF1(), 1e-12);
    double loss = (-Math.log(1.25 / 3) - Math.log(0.7) - Math.log(0.45)) / 3;
    assertEquals(loss, m.loss(), 1e-12);
  }

  @Test
  void windowsOfOneDocumentWithDifferentLabelsAreRefused() {
    DocumentScores scores = new DocumentScores(2).add("a", 0, new double[] {0.5, 0.5});
    assertThrows(IllegalArgumentException.class, () -> scores.add("a", 1, new double[] {0.5, 0.5}));
  }
}
