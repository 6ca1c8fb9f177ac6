package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Java softmax backward (float, in place) against the op-by-op form in double, on attention-shaped arrays. */
class SoftmaxKernelTest {

  @Test
  void matchesTheOpByOpFormInDouble() {
    Nd4j.getRandom().setSeed(8);
    for (long[] shape : new long[][] {{2, 3, 5, 5}, {4, 12, 33, 33}}) {
      INDArray p = TensorMath.softmaxLastAxis(Nd4j.randn(DataType.FLOAT, shape).muli(3));
      INDArray dp = Nd4j.randn(DataType.FLOAT, shape);
      INDArray exact = TensorMath.softmaxBackwardInPlace(p.castTo(DataType.DOUBLE), dp.castTo(DataType.DOUBLE));
      INDArray p0 = p.dup();
      INDArray fast = TensorMath.softmaxBackwardInPlace(p, dp);
      assertSame(dp, fast, "written over dp");
      assertEquals(0.0, p.sub(p0).amaxNumber().doubleValue(), 0.0, "p unchanged");
      double diff = fast.castTo(DataType.DOUBLE).sub(exact).amaxNumber().doubleValue();
      assertTrue(diff < 1e-6, "max diff " + diff);
      assertTrue(exact.amaxNumber().doubleValue() > 0.1, "non-trivial gradients");
      // rows of dS sum to zero (softmax is invariant to adding a constant to a row)
      assertTrue(fast.sum(3).amaxNumber().doubleValue() < 1e-5);
    }
  }
}
