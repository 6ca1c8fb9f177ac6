package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkpeft.models.bert.BertConfig;

/**
 * The Java erf-GELU kernel against ND4J's op-by-op erf form computed in double precision: erf itself on a dense
 * grid, and GELU's value, derivative and backward on plain arrays, on views at an offset inside a larger buffer (as
 * {@link KeptArrays} hands them out) and on arrays allocated in a workspace (as the layer's forward does).
 */
class GeluKernelTest {

  private static final BertConfig.Activation ERF = BertConfig.Activation.GELU_ERF;

  @Test
  void erfMatchesDoublePrecisionErfWithinAFewUlps() {
    int n = 24001;
    double[] grid = new double[n];
    for (int i = 0; i < n; i++) {
      grid[i] = -6.0 + 12.0 * i / (n - 1);
    }
    INDArray reference = Nd4j.createFromArray(grid);
    Nd4j.getExecutioner().exec(new Erf(reference, reference));
    double worst = 0;
    for (int i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(GeluKernel.erf((float) grid[i]) - reference.getDouble(i)));
    }
    assertTrue(worst < 5e-7, "max |erf_kernel - erf| = " + worst);
  }

  @Test
  void forwardAndBackwardMatchTheOpByOpFormOnPlainArrays() {
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.randn(DataType.FLOAT, 300, 257).muli(2.5); // odd length: the two chunks differ
    INDArray dy = Nd4j.randn(DataType.FLOAT, 300, 257);
    check(x, dy);
  }

  @Test
  void viewsAtAnOffsetAndWorkspaceArraysAreReadAndWrittenInPlace() {
    Nd4j.getRandom().setSeed(4);
    INDArray big = Nd4j.randn(DataType.FLOAT, 3 * 40 * 70L).muli(3);
    INDArray x = big.get(NDArrayIndex.interval(40 * 70, 2 * 40 * 70)).reshape('c', 40, 70);
    INDArray dyBig = Nd4j.randn(DataType.FLOAT, 2 * 40 * 70L);
    INDArray dy = dyBig.get(NDArrayIndex.interval(40 * 70, 2 * 40 * 70)).reshape('c', 40, 70);
    assertTrue(x.offset() > 0 || x.data().offset() > 0, "a view at an offset");
    check(x, dy);
    WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(8L << 20).build();
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "gelu-kernel-test")) {
      Nd4j.createUninitialized(DataType.FLOAT, 1234); // so the arrays below start inside the workspace
      check(Nd4j.randn(DataType.FLOAT, 64, 96).muli(2), Nd4j.randn(DataType.FLOAT, 64, 96));
    }
  }

  @Test
  void otherTypesAndLayoutsTakeTheOpByOpPath() {
    assertFalse(GeluKernel.applies(Nd4j.rand(DataType.DOUBLE, 3, 4)));
    assertFalse(GeluKernel.applies(Nd4j.rand(DataType.FLOAT, 'f', 3, 4)));
    assertFalse(GeluKernel.applies(Nd4j.rand(DataType.FLOAT, 4, 3).transpose()));
    assertTrue(GeluKernel.applies(Nd4j.rand(DataType.FLOAT, 3, 4)));
  }

  /** The kernel's y, derivative and dx against the erf form in double precision; x and dy are left unchanged. */
  private static void check(INDArray x, INDArray dy) {
    INDArray x0 = x.dup();
    INDArray dy0 = dy.dup();
    TensorMath.Gelu fast = TensorMath.gelu(x, ERF);
    INDArray value = TensorMath.geluValue(x, ERF);
    INDArray dx = TensorMath.geluBackward(fast.derivative(), dy);
    INDArray xd = x0.castTo(DataType.DOUBLE);
    TensorMath.Gelu exact = TensorMath.gelu(xd, ERF);
    INDArray dxExact = TensorMath.geluBackward(exact.derivative(), dy0.castTo(DataType.DOUBLE));
    assertEquals(0.0, maxDiff(x, x0), 0.0, "x unchanged");
    assertEquals(0.0, maxDiff(dy, dy0), 0.0, "dy unchanged");
    assertTrue(maxDiff(fast.y(), exact.y()) < 3e-6, "y: " + maxDiff(fast.y(), exact.y()));
    assertEquals(0.0, maxDiff(value, fast.y()), 0.0, "the value alone equals the value with the derivative");
    assertTrue(maxDiff(fast.derivative(), exact.derivative()) < 1e-6,
        "derivative: " + maxDiff(fast.derivative(), exact.derivative()));
    assertTrue(maxDiff(dx, dxExact) < 3e-6, "dx: " + maxDiff(dx, dxExact));
    assertTrue(exact.y().amaxNumber().doubleValue() > 2, "inputs cover the curve");
  }

  /** The double-precision derivative against central differences of the value: the formula itself is right. */
  @Test
  void theDerivativeIsTheSlopeOfTheValue() {
    for (BertConfig.Activation kind : BertConfig.Activation.values()) {
      INDArray x = Nd4j.linspace(-5, 5, 201, DataType.DOUBLE).reshape(1, 201);
      double h = 1e-5;
      INDArray slope = TensorMath.geluValue(x.add(h), kind).sub(TensorMath.geluValue(x.sub(h), kind)).divi(2 * h);
      assertTrue(maxDiff(TensorMath.gelu(x, kind).derivative(), slope) < 1e-8, kind + ": "
          + maxDiff(TensorMath.gelu(x, kind).derivative(), slope));
    }
  }

  private static double maxDiff(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
  }
}
