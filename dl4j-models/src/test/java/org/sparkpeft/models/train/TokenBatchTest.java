package org.sparkpeft.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** A TokenBatch becomes the MultiDataSet spark-job's Minibatch produces: padded ids, mask as feature mask, one-hot. */
class TokenBatchTest {

  @Test
  void becomesPaddedIdsWithTheAttentionMaskAndOneHotLabels() {
    MultiDataSet data = new TokenBatch(new int[][] {{101, 7592, 102}, {101, 102}}, new int[] {1, 0})
        .toMultiDataSet(3);
    assertArrayEquals(new float[][] {{101, 7592, 102}, {101, 102, 0}}, data.getFeatures(0).toFloatMatrix());
    assertArrayEquals(new float[][] {{1, 1, 1}, {1, 1, 0}}, data.getFeaturesMaskArray(0).toFloatMatrix());
    assertArrayEquals(new float[][] {{0, 1, 0}, {1, 0, 0}}, data.getLabels(0).toFloatMatrix());
    assertNull(data.getLabelsMaskArrays());
  }

  @Test
  void badBatchesAreRefusedAndSplitKeepsOrder() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBatch(new int[][] {{1}}, new int[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> new TokenBatch(new int[0][], new int[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new TokenBatch(new int[][] {{1, 2}}, new int[] {2}).toMultiDataSet(2));
    List<TokenBatch> split = TokenBatch.split(List.of(new int[] {1}, new int[] {2}, new int[] {3}), List.of(0, 1, 0), 2);
    assertEquals(2, split.size());
    assertArrayEquals(new int[] {0, 1}, split.get(0).labels());
    assertArrayEquals(new int[][] {{3}}, split.get(1).ids());
    assertThrows(IllegalArgumentException.class, () -> new FitOptions(0, 0, -1));
  }
}
