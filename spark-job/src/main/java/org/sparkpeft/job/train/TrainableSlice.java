package org.sparkpeft.job.train;

import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Where the trainable parameters lie in a graph's flat {@code params()} vector: merged {@code [start, start+length)}
 * ranges, read from DL4J's updater blocks (which carry the exact flat offsets, in the layout {@code params()} and
 * {@code setParams} use). Every parameter whose updater is not {@link NoOp} is trainable; the whole updater state view
 * belongs to them (frozen parameters have NoOp and no state). Computed once on the driver and shipped to workers,
 * which recompute it on their own graph and compare ({@link #equals}).
 */
public final class TrainableSlice implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int[] starts;
  private final int[] lengths;
  private final long numParams;
  private final long updaterLength;
  private final int size;

  private TrainableSlice(int[] starts, int[] lengths, long numParams, long updaterLength) {
    this.starts = starts;
    this.lengths = lengths;
    this.numParams = numParams;
    this.updaterLength = updaterLength;
    this.size = Arrays.stream(lengths).sum();
  }

  /** The slice of {@code model}'s graph, checked against the model's own list of trainable parameters. */
  public static TrainableSlice of(PeftModel model) {
    ComputationGraph graph = model.graph();
    ComputationGraphUpdater updater = graph.getUpdater(true);
    List<int[]> ranges = new ArrayList<>();
    Set<String> trainable = new TreeSet<>();
    long covered = 0;
    long state = 0;
    for (UpdaterBlock block : updater.getUpdaterBlocks()) {
      boolean blockTrainable = false;
      for (UpdaterBlock.ParamState ps : block.getLayersAndVariablesInBlock()) {
        covered += ps.getParamOffsetEnd() - ps.getParamOffsetStart();
        if (!(ps.getLayer().getConfig().getUpdaterByParam(ps.getParamName()) instanceof NoOp)) {
          blockTrainable = true;
          trainable.add(ps.getLayer().getConfig().getLayerName() + "_" + ps.getParamName());
          int start = ps.getParamOffsetStart();
          int length = ps.getParamOffsetEnd() - start;
          int[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
          if (last != null && last[0] + last[1] == start) {
            last[1] += length;
          } else {
            ranges.add(new int[] {start, length});
          }
        }
      }
      if (blockTrainable) {
        state += block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart();
      }
    }
    INDArray view = updater.getStateViewArray();
    long viewLength = view == null ? 0 : view.length();
    if (covered != graph.numParams()) {
      throw new IllegalStateException("the updater blocks cover " + covered + " of " + graph.numParams() + " params");
    }
    if (!trainable.equals(new TreeSet<>(model.trainableParams()))) {
      throw new IllegalStateException("the non-NoOp parameters " + trainable + " are not the model's trainable ones "
          + new TreeSet<>(model.trainableParams()));
    }
    if (state != viewLength) {
      throw new IllegalStateException("the trainable blocks hold " + state + " updater values, the state view "
          + viewLength + "; a frozen parameter has updater state");
    }
    int[] starts = ranges.stream().mapToInt(r -> r[0]).toArray();
    int[] lengths = ranges.stream().mapToInt(r -> r[1]).toArray();
    return new TrainableSlice(starts, lengths, graph.numParams(), viewLength);
  }

  /** Trainable parameter count. */
  public int size() {
    return size;
  }

  public long updaterSize() {
    return updaterLength;
  }

  public long numParams() {
    return numParams;
  }

  /** The trainable values of {@code params} (a graph's flat parameter vector), concatenated. */
  public float[] gather(INDArray params) {
    INDArray flat = flat(params);
    float[] out = new float[size];
    int offset = 0;
    for (int i = 0; i < starts.length; i++) {
      float[] part = flat.get(NDArrayIndex.interval(starts[i], starts[i] + lengths[i])).toFloatVector();
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }

  /** Writes {@code values} into the trainable ranges of {@code params}; frozen entries are never written. */
  public void scatter(float[] values, INDArray params) {
    if (values.length != size) {
      throw new IllegalArgumentException("the trainable vector has " + values.length + " values, the slice " + size);
    }
    INDArray flat = flat(params);
    int offset = 0;
    for (int i = 0; i < starts.length; i++) {
      float[] part = Arrays.copyOfRange(values, offset, offset + lengths[i]);
      flat.get(NDArrayIndex.interval(starts[i], starts[i] + lengths[i]))
          .assign(Nd4j.createFromArray(part).castTo(flat.dataType()));
      offset += lengths[i];
    }
  }

  /** SHA-256 over the frozen ranges' values (as float32, in order): equal on two graphs iff their bases are equal. */
  public String frozenChecksum(INDArray params) {
    INDArray flat = flat(params);
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long position = 0;
    for (int i = 0; i <= starts.length; i++) {
      long end = i < starts.length ? starts[i] : numParams;
      update(digest, flat, position, end);
      if (i < starts.length) {
        position = (long) starts[i] + lengths[i];
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void update(MessageDigest digest, INDArray flat, long from, long to) {
    final long chunk = 1 << 20;
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) (4 * chunk)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (long a = from; a < to; a += chunk) {
      long b = Math.min(to, a + chunk);
      float[] values = flat.get(NDArrayIndex.interval(a, b)).toFloatVector();
      bytes.clear();
      bytes.asFloatBuffer().put(values);
      digest.update(bytes.array(), 0, 4 * values.length);
    }
  }

  private static INDArray flat(INDArray params) {
    // a graph's params() is its flattened parameter buffer (contiguous, 'c'): the reshape is a view of it
    return params.reshape(params.length());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainableSlice s && Arrays.equals(starts, s.starts) && Arrays.equals(lengths, s.lengths)
        && numParams == s.numParams && updaterLength == s.updaterLength;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(starts) + Arrays.hashCode(lengths)) + Long.hashCode(numParams * 31 + updaterLength);
  }

  @Override
  public String toString() {
    return "TrainableSlice[" + size + " of " + numParams + " params in " + starts.length + " ranges, updater "
        + updaterLength + "]";
  }
}
