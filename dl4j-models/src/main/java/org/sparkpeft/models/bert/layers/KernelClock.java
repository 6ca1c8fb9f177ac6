package org.sparkpeft.models.bert.layers;

import java.util.function.ObjLongConsumer;

/**
 * Lets a benchmark see the time of the Java kernels ({@link GeluKernel}, {@link LayerNormKernel},
 * {@link SoftmaxKernel}), which run outside ND4J's op executioner: a listener, when one is set, gets each call's
 * kernel name and nanoseconds. None is set in training; then a call costs one volatile read.
 */
public final class KernelClock {

  private static volatile ObjLongConsumer<String> listener;

  private KernelClock() {}

  /** Sets the listener (null: none). */
  public static void listen(ObjLongConsumer<String> newListener) {
    listener = newListener;
  }

  static void run(String kernel, Runnable work) {
    ObjLongConsumer<String> l = listener;
    if (l == null) {
      work.run();
      return;
    }
    long start = System.nanoTime();
    work.run();
    l.accept(kernel, System.nanoTime() - start);
  }
}
