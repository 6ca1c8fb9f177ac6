package org.sparkpeft.job.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class TextScorerMeanTest {

  @Test
  void aChunkedTextGetsTheMeanOfItsWindowsPerAdapter() {
    // rows: text 0 has windows 0 and 2, text 2 has window 1; text 1 has none (no text); two adapters
    double[][][] byRow = {
        {{0.2, 0.8}, {0.9, 0.1}},
        {{0.5, 0.5}, {0.3, 0.7}},
        {{0.6, 0.4}, {0.7, 0.3}}};
    double[][][] mean = TextScorer.meanByOwner(byRow, List.of(0, 2, 0), 3, 2);
    assertArrayEquals(new double[] {0.4, 0.6}, mean[0][0], 1e-12);
    assertArrayEquals(new double[] {0.8, 0.2}, mean[0][1], 1e-12);
    assertNull(mean[1]);
    assertArrayEquals(new double[] {0.5, 0.5}, mean[2][0], 1e-12);
    assertArrayEquals(new double[] {0.3, 0.7}, mean[2][1], 1e-12);
  }
}
