package org.sparkpeft.models.bench;

import java.util.Locale;
import java.util.function.Supplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.layers.TensorMath;

/**
 * A probe (not a test): attention's batched products at batch 32, 12 heads, sequence S, head size 32, computed by
 * ND4J's 4-D matmul, by ND4J's gemm per (example, head) on views, by ND4J's matmul on 3-D [batch * heads, rows, cols]
 * views and by TensorMath.mm (cblas_sgemm per slice, BatchedGemm), interleaved in one JVM,
 * best of N each. {@code java ... AttnProbe [S] [reps]}.
 */
public final class AttnProbe {

  /** ND4J's batched_gemm fails validation in M2.1 (it expects alpha/beta inputs), so it is not among them. */
  private static final int METHODS = 4;

  private AttnProbe() {}

  public static void main(String[] args) {
    int s = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Nd4j.getEnvironment().setMaxThreads(2);
    Nd4j.getEnvironment().setMaxMasterThreads(2);
    Nd4j.factory().blas().setMaxThreads(2);
    int n = 32 * 12;
    int d = 32;
    INDArray q = Nd4j.rand(DataType.FLOAT, 32, 12, s, d);
    INDArray k = Nd4j.rand(DataType.FLOAT, 32, 12, s, d);
    INDArray p = Nd4j.rand(DataType.FLOAT, 32, 12, s, s);
    double flop = 2.0 * n * s * s * d;
    String[] names = {"nd4j-matmul4d", "loop-gemm", "matmul3d", "cblas-slices"};
    double[][] best = new double[METHODS][3];
    for (double[] row : best) {
      java.util.Arrays.fill(row, Double.MAX_VALUE);
    }
    INDArray[] ref = {TensorMath.mm(q, k, false, true), TensorMath.mm(p, k), TensorMath.mm(p, k, true, false)};
    for (int r = 0; r < reps; r++) {
      for (int m = 0; m < METHODS; m++) {
        for (int prod = 0; prod < 3; prod++) {
          final int method = m;
          final int which = prod;
          Supplier<INDArray> run = () -> switch (which) {
            case 0 -> product(method, q, k, false, true);
            case 1 -> product(method, p, k, false, false);
            default -> product(method, p, k, true, false);
          };
          long t = System.nanoTime();
          INDArray out = run.get();
          best[m][prod] = Math.min(best[m][prod], (System.nanoTime() - t) / 1e6);
          if (r == 0) {
            double diff = out.sub(ref[prod]).amaxNumber().doubleValue();
            if (diff > 1e-3) {
              throw new IllegalStateException(names[m] + " product " + prod + " differs by " + diff);
            }
          }
        }
      }
    }
    String[] prods = {"QK^T", "PV", "P^T dC"};
    for (int m = 0; m < METHODS; m++) {
      for (int prod = 0; prod < 3; prod++) {
        System.out.printf(Locale.ROOT, "attn seq=%d %-13s %-7s %8.2f ms %6.1f GFLOP/s%n", s, names[m], prods[prod],
            best[m][prod], flop / best[m][prod] / 1e6);
      }
    }
  }

  /** op(a) op(b) for 4-D [32, 12, rows, cols] arrays. */
  static INDArray product(int method, INDArray a, INDArray b, boolean ta, boolean tb) {
    if (method == 0) {
      return Nd4j.matmul(a, b, null, ta, tb, false);
    }
    if (method == 3) {
      return TensorMath.mm(a, b, ta, tb); // BatchedGemm
    }
    long[] as = a.shape();
    long[] bs = b.shape();
    long rows = ta ? as[3] : as[2];
    long cols = tb ? bs[2] : bs[3];
    int n = (int) (as[0] * as[1]);
    INDArray a3 = a.reshape('c', n, as[2], as[3]);
    INDArray b3 = b.reshape('c', n, bs[2], bs[3]);
    INDArray out = Nd4j.createUninitialized(a.dataType(), n, rows, cols);
    if (method == 1) {
      for (int i = 0; i < n; i++) {
        Nd4j.gemm(a3.slice(i), b3.slice(i), out.slice(i), ta, tb, 1.0, 0.0);
      }
    } else {
      out = TensorMath.mm(a3, b3, ta, tb);
    }
    return out.reshape('c', as[0], as[1], rows, cols);
  }
}
