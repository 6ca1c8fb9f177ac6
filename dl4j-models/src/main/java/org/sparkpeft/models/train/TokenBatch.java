package org.sparkpeft.models.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.inference.PaddedBatch;

/**
 * One labelled minibatch of token-id rows (unpadded, each with [CLS]/[SEP]) and their class ids. As a DL4J
 * MultiDataSet it is exactly what spark-job's workers fit: padded ids as the input, the attention mask as the
 * input's feature mask, one-hot labels.
 *
 * @param ids token ids per row (at least one row)
 * @param labels class id per row, in [0, classes)
 */
public record TokenBatch(int[][] ids, int[] labels) {

  public TokenBatch {
    if (ids == null || labels == null || ids.length == 0 || ids.length != labels.length) {
      throw new IllegalArgumentException("a batch needs at least one row and one label per row, got "
          + (ids == null ? 0 : ids.length) + " rows and " + (labels == null ? 0 : labels.length) + " labels");
    }
    for (int[] row : ids) {
      if (row.length == 0) {
        throw new IllegalArgumentException("a row needs at least one token");
      }
    }
  }

  public int size() {
    return labels.length;
  }

  /** Padded ids, attention mask as the feature mask, one-hot labels over {@code classes}. */
  public MultiDataSet toMultiDataSet(int classes) {
    PaddedBatch padded = padded();
    INDArray oneHot = Nd4j.zeros(labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " is outside [0, " + classes + ")");
      }
      oneHot.putScalar(i, labels[i], 1.0);
    }
    return new MultiDataSet(new INDArray[] {padded.ids()}, new INDArray[] {oneHot}, new INDArray[] {padded.mask()},
        null);
  }

  /** The padded ids and attention mask. */
  public PaddedBatch padded() {
    return PaddedBatch.of(Arrays.asList(ids));
  }

  /** Consecutive batches of {@code batchSize} rows (the last may be smaller). */
  public static List<TokenBatch> split(List<int[]> ids, List<Integer> labels, int batchSize) {
    if (batchSize < 1 || ids.size() != labels.size()) {
      throw new IllegalArgumentException("batch size must be >= 1 and every row needs a label");
    }
    List<TokenBatch> out = new ArrayList<>();
    for (int start = 0; start < ids.size(); start += batchSize) {
      int end = Math.min(ids.size(), start + batchSize);
      out.add(new TokenBatch(ids.subList(start, end).toArray(new int[0][]),
          labels.subList(start, end).stream().mapToInt(Integer::intValue).toArray()));
    }
    return out;
  }
}
