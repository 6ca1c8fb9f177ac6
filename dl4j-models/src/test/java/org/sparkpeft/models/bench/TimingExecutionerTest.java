package org.sparkpeft.models.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.layers.TensorMath;

/** The bench's op timing: products land in their class by operand shape, other ops by caller; uninstall restores. */
@ExtendWith(OneNativeThread.class)
class TimingExecutionerTest {

  @Test
  void classifiesProductsByShapeAndOpsByCaller() {
    OpExecutioner original = Nd4j.getExecutioner();
    INDArray q = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 8);
    INDArray k = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 8);
    INDArray x = Nd4j.rand(DataType.FLOAT, 32, 24);
    INDArray w = Nd4j.rand(DataType.FLOAT, 24, 24);
    INDArray loraA = Nd4j.rand(DataType.FLOAT, 24, OpClasses.LORA_RANK);
    TimingExecutioner timing = TimingExecutioner.install();
    Map<String, Long> nanos;
    try {
      assertSame(timing, Nd4j.getExecutioner());
      Nd4j.matmul(q, k, null, false, true, false); // ND4J's 4-D product (TensorMath.mm takes floats to BatchedGemm)
      TensorMath.mm(x, loraA);
      TensorMath.gelu(x, BertConfig.Activation.GELU_TANH); // ND4J ops (the erf form on floats is a Java kernel)
      TensorMath.mm(x, w);
      nanos = timing.nanosByClass();
    } finally {
      timing.uninstall();
    }
    assertSame(original, Nd4j.getExecutioner());
    assertTrue(nanos.get(OpClasses.ATTENTION) > 0, nanos.toString());
    assertTrue(nanos.get(OpClasses.LORA) > 0, nanos.toString());
    assertTrue(nanos.get(OpClasses.GELU) > 0, nanos.toString());
    // a plain 2-D product called from outside the model's layers is not one of the encoder's projections
    assertFalse(nanos.containsKey(OpClasses.GEMM), nanos.toString());
    assertTrue(nanos.get(OpClasses.OTHER) > 0, nanos.toString());
    assertEquals(4, nanos.size(), nanos.toString());
    TensorMath.mm(x, w); // after uninstall nothing is counted
    assertEquals(nanos, timing.nanosByClass());
    // the Java kernels' times (KernelClock) land in their classes too: BatchedGemm's with attention's products
    assertEquals(OpClasses.ATTENTION, OpClasses.ofKernel("batchedGemm"));
    assertEquals(OpClasses.LAYER_NORM, OpClasses.ofKernel("layerNormBackward"));
  }

  @Test
  void flopsOfMiniLmMatchTheIssueFigure() {
    BertConfig miniLm = new BertConfig(6, 384, 12, 1536, 30522, 512, 2, 1e-12, BertConfig.Activation.GELU_ERF);
    // 2.87 GFLOP forward per example at seq 128; a LoRA training step counts twice that (~5.8 GFLOP, issue #21)
    assertEquals(2.87e9, Machine.forwardFlops(miniLm, 128), 0.01e9);
  }
}
