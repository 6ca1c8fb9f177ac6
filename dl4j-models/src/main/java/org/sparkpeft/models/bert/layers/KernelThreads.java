package org.sparkpeft.models.bert.layers;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How the Java kernels ({@link GeluKernel}, {@link LayerNormKernel}, {@link SoftmaxKernel}) split a large array:
 * into as many parts as ND4J's own ops use threads ({@code maxMasterThreads}, which spark-job sets to
 * {@code spark.task.cpus} inside a Spark task), so that two tasks on two cores run one kernel thread each instead
 * of two each. Parts run on the common ForkJoinPool together with the calling thread.
 */
final class KernelThreads {

  private KernelThreads() {}

  /** 1 below {@code parallelMin} elements (splitting would cost more than it saves), else ND4J's thread count. */
  static int parts(long elements, int parallelMin) {
    return elements < parallelMin ? 1 : Math.max(1, Nd4j.getEnvironment().maxMasterThreads());
  }

  /** Runs {@code part} for every part index in [0, parts), in parallel when there is more than one. */
  static void forEach(int parts, IntConsumer part) {
    if (parts == 1) {
      part.accept(0);
    } else {
      IntStream.range(0, parts).parallel().forEach(part);
    }
  }
}
