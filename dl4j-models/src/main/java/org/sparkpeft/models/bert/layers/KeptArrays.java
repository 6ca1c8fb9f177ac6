package org.sparkpeft.models.bert.layers;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
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
  /** The arrays {@link #slot} handed out, by name: {@link #keep} returns such an array as it is. */
  private final Map<String, INDArray> slots = new HashMap<>();

  /** A detached copy of {@code array}, in the buffer named {@code name}; the array itself if it is that slot. */
  INDArray keep(String name, INDArray array) {
    if (slots.get(name) == array) {
      return array;
    }
    return front(name, array.dataType(), array.shape()).assign(array);
  }

  /**
   * The buffer named {@code name} as a c-order array of {@code shape} (contents undefined), for a forward pass to
   * compute into directly: {@link #keep} of that very array then copies nothing. Valid until the next slot or keep of
   * the name.
   */
  INDArray slot(String name, DataType type, long... shape) {
    INDArray array = front(name, type, shape);
    slots.put(name, array);
    return array;
  }

  private INDArray front(String name, DataType type, long[] shape) {
    slots.remove(name);
    long length = 1;
    for (long d : shape) {
      length *= d;
    }
    INDArray buffer = buffers.get(name);
    if (buffer == null || buffer.length() < length || buffer.dataType() != type) {
      if (buffer != null) {
        buffer.close();
      }
      buffer = Nd4j.createUninitializedDetached(type, length);
      buffers.put(name, buffer);
    }
    INDArray front = buffer.length() == length ? buffer : buffer.get(NDArrayIndex.interval(0, length));
    return front.reshape('c', shape);
  }

  TensorMath.Norm keep(String name, TensorMath.Norm norm, boolean withOutput) {
    return new TensorMath.Norm(keep(name + ".xhat", norm.xhat()), keep(name + ".inv", norm.inv()),
        withOutput ? keep(name + ".y", norm.y()) : null);
  }

  TensorMath.Gelu keep(String name, TensorMath.Gelu gelu) {
    return new TensorMath.Gelu(keep(name + ".y", gelu.y()), keep(name + ".derivative", gelu.derivative()));
  }

  /** Whether a buffer named {@code name} exists. */
  boolean holds(String name) {
    return buffers.containsKey(name);
  }

  void clear() {
    buffers.clear();
    slots.clear();
  }
}
