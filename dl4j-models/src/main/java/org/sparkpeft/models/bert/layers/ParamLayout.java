package org.sparkpeft.models.bert.layers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The named parameters of one layer, in order, with their shapes: slices a layer's flat parameter (or gradient)
 * view into row-major views, so weights keep the [in, out] layout of the imported model.
 */
public final class ParamLayout {

  private final Map<String, long[]> shapes = new LinkedHashMap<>();

  public ParamLayout add(String name, long... shape) {
    if (shapes.put(name, shape) != null) {
      throw new IllegalArgumentException("parameter " + name + " declared twice");
    }
    return this;
  }

  public List<String> names() {
    return List.copyOf(shapes.keySet());
  }

  public long[] shape(String name) {
    return shapes.get(name);
  }

  public long numParams() {
    long total = 0;
    for (long[] shape : shapes.values()) {
      total += size(shape);
    }
    return total;
  }

  /** Row-major views into {@code flat} (a row vector of {@link #numParams()} values), by name. */
  public Map<String, INDArray> views(INDArray flat) {
    if (flat.length() != numParams()) {
      throw new IllegalArgumentException("expected " + numParams() + " values, got " + flat.length());
    }
    INDArray row = flat.reshape(1, flat.length());
    Map<String, INDArray> views = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = size(e.getValue());
      INDArray slice = row.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n));
      views.put(e.getKey(), slice.reshape('c', e.getValue()));
      offset += n;
    }
    return Collections.unmodifiableMap(views);
  }

  static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
