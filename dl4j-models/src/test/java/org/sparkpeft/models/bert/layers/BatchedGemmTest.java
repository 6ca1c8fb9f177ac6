package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention's batched products through BLAS per slice ({@link BatchedGemm}, reached by {@link TensorMath#mm} on 4-D
 * float arrays) against ND4J's matmul in double, for every transpose combination, with m, n and k all different.
 */
class BatchedGemmTest {

  @Test
  void everyTransposeMatchesTheProductInDouble() {
    Nd4j.getRandom().setSeed(21);
    // small; and n k so large that each slice's rows go in blocks (2, 2, 1) spread over two threads
    for (int[] mnk : new int[][] {{5, 7, 3}, {5, 2048, 64}}) {
      int m = mnk[0];
      int n = mnk[1];
      int k = mnk[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          INDArray a = Nd4j.randn(DataType.FLOAT, ta ? new long[] {2, 3, k, m} : new long[] {2, 3, m, k});
          INDArray b = Nd4j.randn(DataType.FLOAT, tb ? new long[] {2, 3, n, k} : new long[] {2, 3, k, n});
          assertTrue(BatchedGemm.applies(a, b, null));
          INDArray exact = Nd4j.matmul(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), null, ta, tb, false);
          INDArray fast = TensorMath.mm(a, b, ta, tb);
          assertTrue(java.util.Arrays.equals(new long[] {2, 3, m, n}, fast.shape()), fast.shapeInfoToString());
          double diff = fast.castTo(DataType.DOUBLE).sub(exact).amaxNumber().doubleValue();
          assertTrue(diff < 1e-4, m + "x" + n + "x" + k + " transposeA=" + ta + " transposeB=" + tb + ": max diff "
              + diff);
          // every slice and row block was written (one left out would keep uninitialized or zero values)
          assertTrue(exact.amaxNumber().doubleValue() > 0.5);
        }
      }
    }
  }

  @Test
  void writesIntoTheGivenArray() {
    Nd4j.getRandom().setSeed(22);
    INDArray q = Nd4j.randn(DataType.FLOAT, 3, 2, 6, 4);
    INDArray key = Nd4j.randn(DataType.FLOAT, 3, 2, 6, 4);
    INDArray out = Nd4j.valueArrayOf(new long[] {3, 2, 6, 6}, Float.NaN, DataType.FLOAT);
    assertSame(out, TensorMath.mm(q, key, false, true, out));
    INDArray exact = Nd4j.matmul(q.castTo(DataType.DOUBLE), key.castTo(DataType.DOUBLE), null, false, true, false);
    assertTrue(out.castTo(DataType.DOUBLE).sub(exact).amaxNumber().doubleValue() < 1e-5);
  }

  @Test
  void viewsAndOtherTypesGoToNd4j() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5);
    INDArray b = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 4);
    assertFalse(BatchedGemm.applies(a.permute(0, 1, 3, 2), b, null), "a permuted view");
    assertFalse(BatchedGemm.applies(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), null), "double");
    assertFalse(BatchedGemm.applies(a.reshape(6, 4, 5), b.reshape(6, 5, 4), null), "rank 3");
    // a permuted view still multiplies correctly (through ND4J)
    INDArray viaView = TensorMath.mm(a.permute(0, 1, 3, 2), b, true, false);
    INDArray exact = Nd4j.matmul(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), null, false, false, false);
    assertTrue(viaView.castTo(DataType.DOUBLE).sub(exact).amaxNumber().doubleValue() < 1e-5);
  }
}
