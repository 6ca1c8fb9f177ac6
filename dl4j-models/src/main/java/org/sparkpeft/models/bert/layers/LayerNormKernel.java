package org.sparkpeft.models.bert.layers;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm over the last axis of a [rows, features] float array, forward and backward, one row at a time in
 * Java: forward reads x once and writes x̂ and y (ND4J op by op: 2 reductions, 5 broadcast passes, 3 new arrays);
 * backward reads dy and x̂ once and writes dx, summing dγ and dβ as it goes (ND4J: 3 reductions, 7 passes). A row
 * (384 floats for MiniLM) stays in cache between its passes; rows are split over two threads. Row sums are
 * accumulated in double. Same math as {@link TensorMath}'s op-by-op form, which double arrays still take.
 */
final class LayerNormKernel {

  private static final int THREADS = 2;
  /** Below this many elements one thread does it all. */
  private static final int PARALLEL_MIN = 1 << 15;

  private LayerNormKernel() {}

  /** Whether every array is a contiguous c-order FLOAT array, on the CPU backend. */
  static boolean applies(INDArray... arrays) {
    if (!GeluKernel.HOST_BACKEND) {
      return false; // see GeluKernel.HOST_BACKEND
    }
    for (INDArray a : arrays) {
      if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a)
          || a.length() > Integer.MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  /** Writes x̂ = (x − mean) / √(var + eps) into {@code xhat}, 1/√(var + eps) into {@code inv} and γ x̂ + β into y. */
  static void forward(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray xhat, INDArray inv,
                      INDArray y) {
    int rows = (int) x.size(0);
    int h = (int) x.size(1);
    float[] g = gamma.toFloatVector();
    float[] b = beta.toFloatVector();
    FloatBuffer in = GeluKernel.buffer(x);
    FloatBuffer norm = GeluKernel.buffer(xhat);
    FloatBuffer scale = GeluKernel.buffer(inv);
    FloatBuffer out = GeluKernel.buffer(y);
    split(rows, h, (from, to) -> {
      float[] row = new float[h];
      for (int r = from; r < to; r++) {
        in.get(r * h, row, 0, h);
        double sum = 0;
        for (int i = 0; i < h; i++) {
          sum += row[i];
        }
        float mean = (float) (sum / h);
        double squares = 0;
        for (int i = 0; i < h; i++) {
          float c = row[i] - mean;
          row[i] = c;
          squares += c * c;
        }
        float s = (float) (1.0 / Math.sqrt(squares / h + eps));
        scale.put(r, s);
        for (int i = 0; i < h; i++) {
          row[i] *= s;
        }
        norm.put(r * h, row, 0, h);
        for (int i = 0; i < h; i++) {
          row[i] = row[i] * g[i] + b[i];
        }
        out.put(r * h, row, 0, h);
      }
      return null;
    });
  }

  /**
   * dx = inv (dx̂ − mean(dx̂) − x̂ mean(dx̂ x̂)) with dx̂ = dy γ, written into {@code dx}; dγ = Σ dy x̂ and dβ = Σ dy
   * over rows are written where not null.
   */
  static void backward(INDArray xhat, INDArray inv, INDArray gamma, INDArray dy, INDArray dx, INDArray dGamma,
                       INDArray dBeta) {
    int rows = (int) xhat.size(0);
    int h = (int) xhat.size(1);
    float[] g = gamma.toFloatVector();
    FloatBuffer norm = GeluKernel.buffer(xhat);
    FloatBuffer scale = GeluKernel.buffer(inv);
    FloatBuffer grad = GeluKernel.buffer(dy);
    FloatBuffer out = GeluKernel.buffer(dx);
    boolean params = dGamma != null || dBeta != null;
    double[][] partial = split(rows, h, (from, to) -> {
      float[] n = new float[h];
      float[] d = new float[h];
      double[] sums = params ? new double[2 * h] : null;
      for (int r = from; r < to; r++) {
        norm.get(r * h, n, 0, h);
        grad.get(r * h, d, 0, h);
        if (params) {
          for (int i = 0; i < h; i++) {
            sums[i] += d[i] * n[i];
            sums[h + i] += d[i];
          }
        }
        double sumD = 0;
        double sumDx = 0;
        for (int i = 0; i < h; i++) {
          float dn = d[i] * g[i];
          d[i] = dn;
          sumD += dn;
          sumDx += dn * n[i];
        }
        float meanD = (float) (sumD / h);
        float meanDx = (float) (sumDx / h);
        float s = scale.get(r);
        for (int i = 0; i < h; i++) {
          d[i] = (d[i] - meanD - n[i] * meanDx) * s;
        }
        out.put(r * h, d, 0, h);
      }
      return sums;
    });
    if (params) {
      float[] dg = new float[h];
      float[] db = new float[h];
      for (double[] sums : partial) {
        for (int i = 0; i < h; i++) {
          dg[i] += (float) sums[i];
          db[i] += (float) sums[h + i];
        }
      }
      if (dGamma != null) {
        dGamma.assign(Nd4j.createFromArray(dg).reshape(dGamma.shape()));
      }
      if (dBeta != null) {
        dBeta.assign(Nd4j.createFromArray(db).reshape(dBeta.shape()));
      }
    }
  }

  private interface Rows {
    double[] run(int from, int to);
  }

  /** Runs rows [0, rows) in up to {@link #THREADS} contiguous parts; each part's result, in order. */
  private static double[][] split(int rows, int h, Rows work) {
    int parts = (long) rows * h < PARALLEL_MIN ? 1 : THREADS;
    int step = (rows + parts - 1) / parts;
    return IntStream.range(0, parts).parallel()
        .mapToObj(p -> work.run(Math.min(rows, p * step), Math.min(rows, (p + 1) * step)))
        .toArray(double[][]::new);
  }
}
