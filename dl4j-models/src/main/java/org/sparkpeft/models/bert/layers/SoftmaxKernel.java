package org.sparkpeft.models.bert.layers;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax backward over the last axis, in place, one row at a time in Java: dS = P ⊙ (dP − Σ dP ⊙ P) reads dP and
 * P once and writes dS over dP (ND4J op by op: a product into a new array, a reduction, a broadcast subtract and a
 * product). Float c-order arrays only ({@link LayerNormKernel#applies}); rows are split over two threads.
 */
final class SoftmaxKernel {

  private static final int THREADS = 2;
  private static final int PARALLEL_MIN = 1 << 15;

  private SoftmaxKernel() {}

  /** Writes dL/dS over {@code dp} (dL/dP) for P = softmax(S) over the last axis; returns {@code dp}. */
  static INDArray backwardInPlace(INDArray p, INDArray dp) {
    int len = (int) p.size(p.rank() - 1);
    int rows = (int) (p.length() / len);
    FloatBuffer probs = GeluKernel.buffer(p);
    FloatBuffer grad = GeluKernel.buffer(dp);
    int parts = p.length() < PARALLEL_MIN ? 1 : THREADS;
    int step = (rows + parts - 1) / parts;
    IntStream.range(0, parts).parallel().forEach(part -> {
      float[] pr = new float[len];
      float[] d = new float[len];
      for (int r = Math.min(rows, part * step); r < Math.min(rows, (part + 1) * step); r++) {
        probs.get(r * len, pr, 0, len);
        grad.get(r * len, d, 0, len);
        float f = LayerNormKernel.dot(d, pr, len);
        for (int i = 0; i < len; i++) {
          d[i] = (d[i] - f) * pr[i];
        }
        grad.put(r * len, d, 0, len);
      }
    });
    return dp;
  }
}
