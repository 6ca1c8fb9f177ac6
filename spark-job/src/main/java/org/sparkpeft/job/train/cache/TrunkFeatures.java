package org.sparkpeft.job.train.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.models.inference.PaddedBatch;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TrunkSplit;

/**
 * A minibatch as the upper graph's training data ({@link TrunkSplit}): each row's trunk output from the store, the
 * rows the store lacks run through the trunk together (and are stored), then the rows are padded to the batch's
 * longest as the whole model would have padded them, with the attention mask. A stored row keeps only its real
 * positions ([length, hidden]); its padding is zeros, which no later layer reads (attention masks the keys, the
 * pooling masks the rows, and the gradients at padded positions are zero).
 */
public final class TrunkFeatures {

  /** Splits of this JVM's pooled graphs (built once per graph). */
  private static final Map<ComputationGraph, TrunkSplit> SPLITS = Collections.synchronizedMap(new WeakHashMap<>());

  private TrunkFeatures() {}

  /** The split of a pooled model (made on first use), or null when it has no frozen trunk. */
  public static TrunkSplit split(PeftModel model) {
    synchronized (SPLITS) {
      if (SPLITS.containsKey(model.graph())) {
        return SPLITS.get(model.graph());
      }
      TrunkSplit split = TrunkSplit.of(model);
      SPLITS.put(model.graph(), split);
      return split;
    }
  }

  /** {@code batch} as upper-graph data: features from {@code store} where it has them, else from the trunk. */
  public static MultiDataSet batch(Minibatch batch, int classes, TrunkSplit split, FeatureStore store,
                                   FeatureCacheSpec spec) {
    int[][] ids = batch.ids();
    float[][] rows = new float[ids.length][];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      rows[i] = store.get(ids[i]);
      if (rows[i] == null) {
        missing.add(i);
      }
    }
    if (!missing.isEmpty()) {
      List<int[]> todo = new ArrayList<>(missing.size());
      missing.forEach(i -> todo.add(ids[i]));
      PaddedBatch padded = PaddedBatch.of(todo);
      INDArray out = split.features(padded.ids(), padded.mask()).castTo(DataType.FLOAT).dup('c');
      float[] flat = out.data().asFloat();
      long perRow = out.length() / out.size(0);
      long width = out.rank() == 3 ? out.size(1) : 1;
      long hidden = perRow / width;
      long refused = 0;
      for (int j = 0; j < missing.size(); j++) {
        int i = missing.get(j);
        int keep = (int) (out.rank() == 3 ? ids[i].length * hidden : perRow);
        rows[i] = java.util.Arrays.copyOfRange(flat, (int) (j * perRow), (int) (j * perRow + keep));
        if (!store.put(ids[i], rows[i])) {
          refused++;
        }
      }
      spec.misses().add(missing.size());
      spec.refused().add(refused);
    }
    spec.hits().add(ids.length - missing.size());
    return TrunkSplit.upperData(assemble(ids, rows, split.sequenceOutput()), PaddedBatch.of(List.of(ids)).mask(),
        batch.oneHot(classes));
  }

  /** Rows of [length, hidden] or [hidden] features as one zero-padded [rows, longest, hidden] or [rows, hidden]. */
  private static INDArray assemble(int[][] ids, float[][] rows, boolean sequence) {
    if (!sequence) {
      int hidden = rows[0].length;
      float[] data = new float[rows.length * hidden];
      for (int i = 0; i < rows.length; i++) {
        if (rows[i].length != hidden) {
          throw new IllegalStateException("cached features of " + rows[i].length + " and " + hidden + " values");
        }
        System.arraycopy(rows[i], 0, data, i * hidden, hidden);
      }
      return Nd4j.create(data, new long[] {rows.length, hidden}, 'c');
    }
    int width = 0;
    for (int[] row : ids) {
      width = Math.max(width, row.length);
    }
    int hidden = rows[0].length / ids[0].length;
    float[] data = new float[rows.length * width * hidden];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != ids[i].length * hidden) {
        throw new IllegalStateException("cached features of " + rows[i].length + " values for a row of "
            + ids[i].length + " tokens and hidden size " + hidden);
      }
      System.arraycopy(rows[i], 0, data, i * width * hidden, rows[i].length);
    }
    return Nd4j.create(data, new long[] {rows.length, width, hidden}, 'c');
  }
}
