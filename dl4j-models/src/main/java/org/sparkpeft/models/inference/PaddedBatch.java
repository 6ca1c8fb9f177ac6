package org.sparkpeft.models.inference;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token-id rows of different lengths as one minibatch: ids [batch, longest] right-padded with 0 ([PAD]) and the
 * attention mask [batch, longest] (1 for tokens, 0 for padding), the graph's input and its feature mask.
 */
public record PaddedBatch(INDArray ids, INDArray mask) {

  public static PaddedBatch of(List<int[]> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one row");
    }
    int seq = rows.stream().mapToInt(a -> a.length).max().orElseThrow();
    float[][] ids = new float[rows.size()][seq];
    float[][] mask = new float[rows.size()][seq];
    for (int b = 0; b < rows.size(); b++) {
      int[] row = rows.get(b);
      for (int t = 0; t < row.length; t++) {
        ids[b][t] = row[t];
        mask[b][t] = 1f;
      }
    }
    return new PaddedBatch(Nd4j.createFromArray(ids), Nd4j.createFromArray(mask));
  }
}
