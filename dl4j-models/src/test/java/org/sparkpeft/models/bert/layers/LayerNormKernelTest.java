package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The Java LayerNorm kernel (float) against TensorMath's op-by-op form in double precision, forward (x̂, 1/σ, y)
 * and backward (dx, dγ, dβ, and with frozen γ/β), on plain arrays and on views at an offset inside a buffer.
 */
class LayerNormKernelTest {

  @Test
  void forwardAndBackwardMatchTheOpByOpFormInDouble() {
    Nd4j.getRandom().setSeed(5);
    check(Nd4j.randn(DataType.FLOAT, 300, 96).muli(4).addi(1.5), Nd4j.randn(DataType.FLOAT, 300, 96), 1e-5);
  }

  @Test
  void largeEpsilonAndOffsetViews() {
    Nd4j.getRandom().setSeed(6);
    INDArray big = Nd4j.randn(DataType.FLOAT, 3 * 50 * 40L).muli(0.1);
    INDArray x = big.get(NDArrayIndex.interval(50 * 40, 2 * 50 * 40)).reshape('c', 50, 40);
    INDArray dy = Nd4j.randn(DataType.FLOAT, 2 * 50 * 40L).get(NDArrayIndex.interval(50 * 40, 2 * 50 * 40))
        .reshape('c', 50, 40);
    check(x, dy, 0.05); // eps comparable to the variance: a kernel that dropped eps would differ
  }

  private static void check(INDArray x, INDArray dy, double eps) {
    int h = (int) x.size(1);
    INDArray gamma = Nd4j.rand(DataType.FLOAT, h).addi(0.5);
    INDArray beta = Nd4j.randn(DataType.FLOAT, h);
    INDArray x0 = x.dup();
    TensorMath.Norm fast = TensorMath.layerNorm(x, gamma, beta, eps);
    TensorMath.Norm exact = TensorMath.layerNorm(x.castTo(DataType.DOUBLE), gamma.castTo(DataType.DOUBLE),
        beta.castTo(DataType.DOUBLE), eps);
    assertEquals(0.0, diff(x, x0), 0.0, "x unchanged");
    assertTrue(diff(fast.xhat(), exact.xhat()) < 2e-5, "xhat " + diff(fast.xhat(), exact.xhat()));
    assertTrue(diff(fast.inv(), exact.inv()) < 1e-5 * exact.inv().amaxNumber().doubleValue(), "inv");
    assertTrue(diff(fast.y(), exact.y()) < 3e-5, "y " + diff(fast.y(), exact.y()));
    INDArray dGamma = Nd4j.create(DataType.FLOAT, h);
    INDArray dBeta = Nd4j.create(DataType.FLOAT, h);
    INDArray dx = TensorMath.layerNormBackward(fast, gamma, dy, dGamma, dBeta);
    INDArray dGammaExact = Nd4j.create(DataType.DOUBLE, h);
    INDArray dBetaExact = Nd4j.create(DataType.DOUBLE, h);
    INDArray dxExact = TensorMath.layerNormBackward(exact, gamma.castTo(DataType.DOUBLE), dy.castTo(DataType.DOUBLE),
        dGammaExact, dBetaExact);
    double scale = dxExact.amaxNumber().doubleValue();
    assertTrue(diff(dx, dxExact) < 2e-5 * Math.max(1, scale), "dx " + diff(dx, dxExact));
    assertTrue(diff(dGamma, dGammaExact) < 1e-4, "dgamma " + diff(dGamma, dGammaExact));
    assertTrue(diff(dBeta, dBetaExact) < 1e-4, "dbeta " + diff(dBeta, dBetaExact));
    assertTrue(dGammaExact.amaxNumber().doubleValue() > 1, "non-trivial parameter gradients");
    INDArray frozen = TensorMath.layerNormBackward(fast, gamma, dy, null, null);
    assertEquals(0.0, diff(frozen, dx), 0.0, "frozen gamma/beta: same dx");
  }

  private static double diff(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
  }
}
