package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Java kernels split large arrays into ND4J's thread count of parts, and the result does not depend on how many:
 * GELU and the softmax backward bit for bit with 1 part and with up to 3 (the lengths are odd, so the last part is
 * short), on arrays large enough to be split.
 */
class KernelThreadsTest {

  @Test
  void partsFollowNd4jThreadsAndResultsDoNotDependOnThem() {
    int before = Nd4j.getEnvironment().maxMasterThreads();
    try {
      Nd4j.getRandom().setSeed(5);
      INDArray x = Nd4j.randn(DataType.FLOAT, 301, 257).muli(2.5); // 77,357 elements: above GELU's split size
      INDArray dy = Nd4j.randn(DataType.FLOAT, 301, 257);
      INDArray p = TensorMath.softmaxLastAxis(Nd4j.randn(DataType.FLOAT, 5, 12, 31, 31));
      INDArray dp = Nd4j.randn(DataType.FLOAT, 5, 12, 31, 31);

      Nd4j.getEnvironment().setMaxMasterThreads(1);
      assertEquals(1, KernelThreads.parts(1 << 20, 1 << 15));
      float[][] one = run(x, dy, p, dp);

      Nd4j.getEnvironment().setMaxMasterThreads(3); // ND4J caps it at the cores: 2 on a 2-core machine
      int many = Nd4j.getEnvironment().maxMasterThreads();
      assertEquals(Math.min(3, Runtime.getRuntime().availableProcessors()), many);
      assertEquals(many, KernelThreads.parts(1 << 20, 1 << 15));
      assertEquals(1, KernelThreads.parts(100, 1 << 15), "small arrays stay in one part");
      float[][] three = run(x, dy, p, dp);

      for (int i = 0; i < one.length; i++) {
        assertArrayEquals(one[i], three[i], 0f, "output " + i);
      }
    } finally {
      Nd4j.getEnvironment().setMaxMasterThreads(before);
    }
  }

  /** GELU forward (y, gate), GELU backward (dx) and the softmax backward, on fresh copies of the inputs. */
  private static float[][] run(INDArray x, INDArray dy, INDArray p, INDArray dp) {
    INDArray y = Nd4j.create(DataType.FLOAT, x.shape());
    INDArray gate = Nd4j.create(DataType.FLOAT, x.shape());
    GeluKernel.forward(x, y, gate);
    INDArray dx = Nd4j.create(DataType.FLOAT, x.shape());
    GeluKernel.backward(x, gate, dy, dx);
    INDArray ds = SoftmaxKernel.backwardInPlace(p, dp.dup());
    return new float[][] {flat(y), flat(gate), flat(dx), flat(ds)};
  }

  private static float[] flat(INDArray a) {
    return a.reshape(a.length()).toFloatVector();
  }
}
