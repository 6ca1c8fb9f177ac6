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
        float mean = sum(row, h) / h;
        for (int i = 0; i < h; i++) {
          row[i] -= mean;
        }
        double squares = dot(row, row, h);
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
        for (int i = 0; i < h; i++) {
          d[i] *= g[i];
        }
        float meanD = sum(d, h) / h;
        float meanDx = dot(d, n, h) / h;
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

  /**
   * Σ a[i] over [0, n) in eight float accumulators. One accumulator (float or double) is a serial chain of adds the
   * JIT cannot reorder; eight independent ones ran ~4x faster on 384-float rows (and eight partial sums of ~48 floats
   * each lose nothing that matters next to LayerNorm's float inputs).
   */
  static float sum(float[] a, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
      s4 += a[i + 4];
      s5 += a[i + 5];
      s6 += a[i + 6];
      s7 += a[i + 7];
    }
    float s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    for (; i < n; i++) {
      s += a[i];
    }
    return s;
  }

  /** Σ a[i] b[i] over [0, n), in eight float accumulators as {@link #sum}. */
  static float dot(float[] a, float[] b, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    float s4 = 0;
    float s5 = 0;
    float s6 = 0;
    float s7 = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
      s4 += a[i + 4] * b[i + 4];
      s5 += a[i + 5] * b[i + 5];
      s6 += a[i + 6] * b[i + 6];
      s7 += a[i + 7] * b[i + 7];
    }
    float s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    for (; i < n; i++) {
      s += a[i] * b[i];
    }
    return s;
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
