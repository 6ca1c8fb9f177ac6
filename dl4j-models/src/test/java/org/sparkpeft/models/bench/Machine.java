package org.sparkpeft.models.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.layers.TensorMath;
import org.sparkpeft.models.nativebuild.BlasKernels;

/**
 * What the bench header says about the machine (CPU model, the SIMD flags that matter to BLAS, cores) and the
 * arithmetic it reports: the model's GEMM shapes, FLOPs per example, and an fp32 GEMM probe on those shapes.
 */
final class Machine {

  private static final List<String> ISA = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw",
      "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile");

  private Machine() {}

  /** "AMD EPYC, 2 CPUs, ISA avx avx2 fma avx512f ..." from /proc/cpuinfo (or os.arch elsewhere). */
  static String describe() {
    String model = System.getProperty("os.arch");
    List<String> flags = List.of();
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String line : lines) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
        } else if (line.startsWith("flags") && flags.isEmpty()) {
          List<String> all = Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
          flags = ISA.stream().filter(all::contains).toList();
        }
      }
    } catch (IOException e) {
      // not Linux: the model stays os.arch, flags unknown
    }
    String idle = org.sparkpeft.models.nativebuild.IdleThreadSettings.describe();
    return String.format(Locale.ROOT, "%s, %d CPUs, ISA: %s%s", model, Runtime.getRuntime().availableProcessors(),
        flags.isEmpty() ? "unknown" : String.join(" ", flags),
        idle == null ? "" : "; idle native threads: " + idle + (TorchReference.sharesIdleSettings()
            ? ", the same for the PyTorch side" : "; the PyTorch side as the shell has it"));
  }

  /** The OpenBLAS this JVM loaded for ND4J and its kernels, and how they were chosen ({@link BlasKernels}). */
  static String nd4jBlas() {
    Nd4j.create(1); // ND4J's natives (and their OpenBLAS) are loaded
    String loaded = BlasKernels.loaded();
    return (loaded == null ? "no OpenBLAS mapped" : loaded) + " (" + BlasKernels.describe() + ")";
  }

  /** The encoder's GEMMs for one batch: [m, k, n] of the Q/K/V/output projections and the two FFN matmuls. */
  static List<long[]> gemmShapes(BertConfig config, int batch, int seq) {
    long m = (long) batch * seq;
    return List.of(new long[] {m, config.hidden(), config.hidden()},
        new long[] {m, config.hidden(), config.intermediate()},
        new long[] {m, config.intermediate(), config.hidden()});
  }

  /**
   * Forward FLOPs of one example: per block 4 projections (2 s h² each), the FFN (2 × 2 s h i) and attention's two
   * batched products (2 × 2 s² h). A LoRA training step counts twice that (forward + the input gradients of every
   * frozen matrix; the LoRA and head terms are under 1 %); inference counts it once.
   */
  static double forwardFlops(BertConfig config, int seq) {
    double h = config.hidden();
    double perBlock = 8.0 * seq * h * h + 4.0 * seq * h * config.intermediate() + 4.0 * seq * (double) seq * h;
    return config.layers() * perBlock;
  }

  /** ND4J's fp32 rate (GFLOP/s) on {@code shapes}, {@code reps} products each after one warm-up. */
  static double nd4jGemm(List<long[]> shapes, int reps) {
    double flops = 0;
    long nanos = 0;
    for (long[] s : shapes) {
      INDArray a = Nd4j.rand(DataType.FLOAT, s[0], s[1]);
      INDArray b = Nd4j.rand(DataType.FLOAT, s[1], s[2]);
      // into one output, as BLAS is measured: a fresh native array per product is zero-filled by libnd4j and its
      // pages fault in anew (on a VM with ~10 us per page that alone took the probe from ~150 to 45-82 GFLOP/s)
      INDArray c = Nd4j.createUninitialized(DataType.FLOAT, s[0], s[2]);
      TensorMath.gemmInto(a, b, false, false, 1.0, 0.0, c);
      long start = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        TensorMath.gemmInto(a, b, false, false, 1.0, 0.0, c);
      }
      nanos += System.nanoTime() - start;
      flops += 2.0 * s[0] * s[1] * s[2] * reps;
    }
    return flops / nanos;
  }

  /** Sequence lengths to bench: {@code -Dsparkpeft.bench.seqs=128,64} (the default). */
  static int[] seqs() {
    return Arrays.stream(System.getProperty("sparkpeft.bench.seqs", "128,64").split(","))
        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
  }

  /** The median of {@code values}. */
  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static String joined(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(","));
  }
}
