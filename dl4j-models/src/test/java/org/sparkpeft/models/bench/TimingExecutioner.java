package org.sparkpeft.models.bench;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BroadcastOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.IndexAccumulation;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.RandomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's CPU executioner with a stopwatch (bench only): while installed ({@link #install}), every op the calling
 * thread runs is timed (outermost call only) and its time added to the class {@link OpClasses} gives it from the
 * op and the Java stack that called it. Classifying (a stack walk) happens outside the timed span and its cost is
 * kept apart, so that step wall time − op time − classifying time is the time spent outside ND4J ops.
 */
final class TimingExecutioner extends NativeOpExecutioner {

  private final Thread thread = Thread.currentThread();
  private final Map<String, Long> nanos = new LinkedHashMap<>();
  private long classifyingNanos;
  private int depth;
  private OpExecutioner previous;

  private TimingExecutioner() {}

  /** Replaces Nd4j's executioner with a timing one; {@link #uninstall} puts the original back. */
  static TimingExecutioner install() {
    TimingExecutioner timing = new TimingExecutioner();
    timing.previous = swap(timing);
    return timing;
  }

  void uninstall() {
    swap(previous);
  }

  private static OpExecutioner swap(OpExecutioner executioner) {
    try {
      Field field = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
      field.setAccessible(true);
      OpExecutioner old = (OpExecutioner) field.get(null);
      field.set(null, executioner);
      return old;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install the timing executioner: " + e, e);
    }
  }

  /** Nanoseconds by op class since the last {@link #reset}. */
  Map<String, Long> nanosByClass() {
    return new LinkedHashMap<>(nanos);
  }

  long classifyingNanos() {
    return classifyingNanos;
  }

  void reset() {
    nanos.clear();
    classifyingNanos = 0;
  }

  private <T> T timed(String name, List<INDArray> inputs, boolean random, Supplier<T> run) {
    if (depth > 0 || Thread.currentThread() != thread) {
      depth++;
      try {
        return run.get();
      } finally {
        depth--;
      }
    }
    long c0 = System.nanoTime();
    String opClass = OpClasses.of(name, inputs, random);
    long start = System.nanoTime();
    classifyingNanos += start - c0;
    depth++;
    try {
      return run.get();
    } finally {
      depth--;
      nanos.merge(opClass, System.nanoTime() - start, Long::sum);
    }
  }

  private static List<INDArray> inputs(Op op) {
    return op.y() == null ? (op.x() == null ? List.of() : List.of(op.x())) : List.of(op.x(), op.y());
  }

  @Override
  public INDArray exec(Op op) {
    return timed(op.opName(), inputs(op), op instanceof RandomOp, () -> super.exec(op));
  }

  @Override
  public INDArray exec(Op op, OpContext oc) {
    return timed(op.opName(), inputs(op), op instanceof RandomOp, () -> super.exec(op, oc));
  }

  @Override
  public INDArray exec(IndexAccumulation op) {
    return timed(op.opName(), inputs(op), false, () -> super.exec(op));
  }

  @Override
  public INDArray exec(Variance op) {
    return timed(op.opName(), inputs(op), false, () -> super.exec(op));
  }

  @Override
  public INDArray exec(ReduceOp op) {
    return timed(op.opName(), inputs(op), false, () -> super.exec(op));
  }

  @Override
  public INDArray exec(ScalarOp op) {
    return timed(op.opName(), inputs(op), false, () -> super.exec(op));
  }

  @Override
  public INDArray exec(BroadcastOp op) {
    return timed(op.opName(), inputs(op), false, () -> super.exec(op));
  }

  @Override
  public INDArray exec(RandomOp op) {
    return timed(op.opName(), List.of(), true, () -> super.exec(op));
  }

  @Override
  public INDArray exec(RandomOp op, Random rng) {
    return timed(op.opName(), List.of(), true, () -> super.exec(op, rng));
  }

  @Override
  public INDArray[] exec(CustomOp op) {
    return timed(op.opName(), op.inputArguments(), false, () -> super.exec(op));
  }

  @Override
  public INDArray[] exec(CustomOp op, OpContext context) {
    List<INDArray> in = op.inputArguments().isEmpty() && context != null ? context.getInputArrays()
        : op.inputArguments();
    return timed(op.opName(), in, false, () -> super.exec(op, context));
  }
}
