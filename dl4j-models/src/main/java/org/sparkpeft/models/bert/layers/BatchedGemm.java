package org.sparkpeft.models.bert.layers;

import java.util.stream.IntStream;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention's batched products op(a) op(b) over the leading [batch, heads] axes of 4-D float arrays, as
 * {@code cblas_sgemm} calls on blocks of rows of each (example, head) slice, on the OpenBLAS that ND4J's CPU backend
 * loads (the same library and kernels as ND4J's 2-D GEMMs). ND4J M2.1's 4-D {@code matmul} runs its own loop kernel
 * instead of BLAS: measured at batch 32, 12 heads, seq 128, head size 32 on 2 threads it took ~1.9x PyTorch's
 * {@code bmm} in a training step.
 * Contiguous c-order FLOAT arrays on the CPU backend only ({@link #applies}).
 */
final class BatchedGemm {

  /**
   * OpenBLAS 0.3.19 runs a GEMM on the calling thread when m·n·k is at most this (SMP_THRESHOLD_MIN 65536 times
   * GEMM_MULTITHREAD_THRESHOLD 4, interface/gemm.c); larger calls go to its worker threads.
   */
  static final long SINGLE_THREAD_MNK = 65536L * 4;
  private static final int THREADS = 2;
  /** Below this many multiply-adds in all, one thread (the fork costs more than it saves). */
  private static final long PARALLEL_MIN_FLOP = 1L << 20;

  private BatchedGemm() {}

  /** Whether the kernel takes op(a) op(b) into {@code out}: rank 4, float, contiguous c-order, on the CPU backend. */
  static boolean applies(INDArray a, INDArray b, INDArray out) {
    return a.rank() == 4 && b.rank() == 4 && (out == null || out.rank() == 4)
        && LayerNormKernel.applies(a, b) && (out == null || LayerNormKernel.applies(out))
        && a.dataType() == DataType.FLOAT && a.size(0) == b.size(0) && a.size(1) == b.size(1);
  }

  /** The [batch, heads, rows, cols] shape of op(a) op(b). */
  static long[] productShape(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
    return new long[] {a.size(0), a.size(1), transposeA ? a.size(3) : a.size(2), transposeB ? b.size(2) : b.size(3)};
  }

  /** Writes op(a) op(b) into {@code out} (of {@link #productShape}); returns {@code out}. */
  static INDArray multiply(INDArray a, INDArray b, boolean transposeA, boolean transposeB, INDArray out) {
    long[] shape = productShape(a, b, transposeA, transposeB);
    int m = (int) shape[2];
    int n = (int) shape[3];
    int k = (int) (transposeA ? a.size(2) : a.size(3));
    long kB = transposeB ? b.size(3) : b.size(2);
    if (kB != k || out.size(0) != shape[0] || out.size(1) != shape[1] || out.size(2) != m || out.size(3) != n) {
      throw new IllegalArgumentException("batched product shapes do not match: " + java.util.Arrays.toString(
          a.shape()) + (transposeA ? "^T" : "") + " x " + java.util.Arrays.toString(b.shape())
          + (transposeB ? "^T" : "") + " into " + java.util.Arrays.toString(out.shape()));
    }
    int slices = (int) (shape[0] * shape[1]);
    int lda = (int) a.size(3);
    int ldb = (int) b.size(3);
    long strideA = a.size(2) * a.size(3);
    long strideB = b.size(2) * b.size(3);
    long strideC = (long) m * n;
    int ta = transposeA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int tb = transposeB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    // the rows of each slice in blocks small enough that OpenBLAS runs each call on the calling thread, spread over
    // two Java threads: no OpenBLAS worker to wake per call (with the short idle timeout, IdleThreadSettings, waking one
    // per slice made the serial loop slower than ND4J's matmul at seq 128), and both cores busy. AttnProbe, seq 128,
    // 2 cores: 5.8-7.1 ms per product against 11-12 ms for ND4J's matmul and 8.5-9.3 ms for one sgemm per slice.
    int block = (int) Math.max(1, Math.min(m, SINGLE_THREAD_MNK / ((long) n * k)));
    int blocks = (m + block - 1) / block;
    int tasks = slices * blocks;
    int parts = (long) tasks * block * n * k < PARALLEL_MIN_FLOP ? 1 : THREADS;
    int perPart = (tasks + parts - 1) / parts;
    IntStream.range(0, parts).parallel().forEach(part -> {
      FloatPointer pa = new FloatPointer(GeluKernel.buffer(a));
      FloatPointer pb = new FloatPointer(GeluKernel.buffer(b));
      FloatPointer pc = new FloatPointer(GeluKernel.buffer(out));
      for (int t = part * perPart; t < Math.min(tasks, (part + 1) * perPart); t++) {
        int slice = t / blocks;
        int row = (t % blocks) * block;
        int rows = Math.min(block, m - row);
        long offsetA = slice * strideA + (transposeA ? row : (long) row * lda);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, rows, n, k, 1f,
            pa.position(offsetA), lda, pb.position(slice * strideB), ldb, 0f,
            pc.position(slice * strideC + (long) row * n), n);
      }
    });
    return out;
  }
}
