package org.sparkpeft.models.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model that weight import needs: initializers, nodes in topological order, graph inputs
 * and outputs, opsets. Independent of the protobuf classes that read it.
 */
public record OnnxGraph(String producer, Map<String, Long> opsets, Map<String, Tensor> initializers,
                        List<Node> nodes, List<String> inputs, List<String> outputs) {

  /** ONNX TensorProto.DataType values used here. */
  public static final int FLOAT = 1;
  public static final int INT32 = 6;
  public static final int INT64 = 7;
  public static final int DOUBLE = 11;

  /** A tensor: an initializer or a Constant node's value. */
  public record Tensor(String name, long[] dims, int dataType, ByteBuffer raw, float[] floatData, long[] int64Data,
                       int[] int32Data) {

    public long size() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }

    public int rank() {
      return dims.length;
    }

    /** Row-major float values exactly as stored. */
    public float[] floats() {
      if (dataType != FLOAT) {
        throw new IllegalStateException("tensor " + name + " is not float32 (ONNX type " + dataType + ")");
      }
      if (raw != null) {
        float[] out = new float[raw.remaining() / Float.BYTES];
        raw.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
      }
      return floatData.clone();
    }

    /** Integer values (INT64 or INT32) widened to long. */
    public long[] longs() {
      if (dataType == INT64) {
        if (raw != null) {
          long[] out = new long[raw.remaining() / Long.BYTES];
          raw.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
          return out;
        }
        return int64Data.clone();
      }
      if (dataType == INT32) {
        int[] source = int32Data;
        if (raw != null) {
          source = new int[raw.remaining() / Integer.BYTES];
          raw.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(source);
        }
        return Arrays.stream(source).asLongStream().toArray();
      }
      throw new IllegalStateException("tensor " + name + " is not an integer tensor (ONNX type " + dataType + ")");
    }

    /** The first value as a double, any numeric type. */
    public double scalar() {
      if (dataType == FLOAT) {
        return floats()[0];
      }
      if (dataType == DOUBLE) {
        return raw.duplicate().order(ByteOrder.LITTLE_ENDIAN).getDouble(0);
      }
      return longs()[0];
    }
  }

  /** A node attribute (only the kinds weight import reads). */
  public record Attr(String name, float f, long i, Tensor t) {}

  /** A graph node. */
  public record Node(String name, String opType, List<String> inputs, List<String> outputs, Map<String, Attr> attrs) {
    public String input(int index) {
      return index < inputs.size() ? inputs.get(index) : "";
    }

    public String output() {
      return outputs.get(0);
    }
  }

  static Map<String, Attr> attrMap(List<Attr> attrs) {
    Map<String, Attr> map = new LinkedHashMap<>();
    attrs.forEach(a -> map.put(a.name(), a));
    return map;
  }
}
