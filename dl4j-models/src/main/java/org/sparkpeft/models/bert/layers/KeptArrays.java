package org.sparkpeft.models.bert.layers;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies of workspace arrays that must outlive the workspace (the forward state backprop reads), kept in buffers
 * that are reused from step to step while the shape stays the same, so steady-state training allocates nothing.
 */
final class KeptArrays {

  private final Map<String, INDArray> buffers = new HashMap<>();

  /** A detached copy of {@code array}, in the buffer named {@code name}. */
  INDArray keep(String name, INDArray array) {
    INDArray buffer = buffers.get(name);
    if (buffer == null || !java.util.Arrays.equals(buffer.shape(), array.shape())
        || buffer.dataType() != array.dataType()) {
      buffer = Nd4j.createUninitializedDetached(array.dataType(), array.shape());
      buffers.put(name, buffer);
    }
    return buffer.assign(array);
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
