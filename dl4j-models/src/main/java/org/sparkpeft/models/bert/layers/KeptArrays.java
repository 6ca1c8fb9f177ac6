package org.sparkpeft.models.bert.layers;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Copies of workspace arrays that must outlive the workspace (the forward state backprop reads), kept in buffers
 * that are reused from step to step, so steady-state training allocates nothing. A buffer only grows: a smaller
 * array (a shorter length bucket, a smaller last batch) is written into the front of it, and a larger one replaces
 * it, releasing the old memory at once rather than leaving it to the garbage collector.
 */
final class KeptArrays {

  private final Map<String, INDArray> buffers = new HashMap<>();

  /** A detached copy of {@code array}, in the buffer named {@code name}. */
  INDArray keep(String name, INDArray array) {
    long length = array.length();
    INDArray buffer = buffers.get(name);
    if (buffer == null || buffer.length() < length || buffer.dataType() != array.dataType()) {
      if (buffer != null) {
        buffer.close();
      }
      buffer = Nd4j.createUninitializedDetached(array.dataType(), length);
      buffers.put(name, buffer);
    }
    INDArray front = buffer.length() == length ? buffer : buffer.get(NDArrayIndex.interval(0, length));
    return front.reshape('c', array.shape()).assign(array);
  }

  TensorMath.Norm keep(String name, TensorMath.Norm norm, boolean withOutput) {
    return new TensorMath.Norm(keep(name + ".xhat", norm.xhat()), keep(name + ".inv", norm.inv()),
        withOutput ? keep(name + ".y", norm.y()) : null);
  }

  TensorMath.Gelu keep(String name, TensorMath.Gelu gelu) {
    return new TensorMath.Gelu(keep(name + ".y", gelu.y()), keep(name + ".gate", gelu.gate()));
  }

  void clear() {
    buffers.clear();
  }
}
