package org.sparkpeft.models.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.layers.TensorMath;

/**
 * A probe (not a test): the kernels of a training step on small arrays (about a millisecond each), one native
 * thread, best of N runs, so that a machine shared with many other jobs still shows how fast each kernel is when
 * it runs (a short kernel often finishes within one scheduler slice; a step never does). Compares native builds
 * and BLAS core types kernel by kernel ({@code -Dsparkpeft.bench.threads=N}: N native threads, default 1): {@code java ... KernelProbe LABEL [reps]}; prints
 * {@code kernel LABEL NAME us}.
 */
public final class KernelProbe {

  private KernelProbe() {}

  public static void main(String[] args) {
    String label = args[0];
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int threads = Integer.getInteger("sparkpeft.bench.threads", 1);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    String lib = String.valueOf(Loader.getLoadedLibraries().get("nd4jcpu"));
    System.out.println("native " + label + " " + lib.substring(lib.lastIndexOf("bindings/") + 9));
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 256, 1536).subi(0.5).muli(6);
    INDArray y = Nd4j.rand(DataType.FLOAT, 256, 1536);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 256, 1536);
    INDArray h = Nd4j.rand(DataType.FLOAT, 256, 384);
    INDArray w = Nd4j.rand(DataType.FLOAT, 384, 1536);
    INDArray w2 = Nd4j.rand(DataType.FLOAT, 1536, 384);
    INDArray q = Nd4j.rand(DataType.FLOAT, 2, 12, 128, 32);
    INDArray p = Nd4j.rand(DataType.FLOAT, 2, 12, 128, 128);
    INDArray row = Nd4j.rand(DataType.FLOAT, 1536);
    Map<String, Runnable> kernels = new LinkedHashMap<>();
    kernels.put("sgemm [256,384]x[384,1536]", () -> TensorMath.mm(h, w));
    kernels.put("sgemm [256,1536]x[1536,384]", () -> TensorMath.mm(x, w2));
    kernels.put("sgemm [256,1536]x[384,1536]^T", () -> TensorMath.mm(x, w, false, true));
    kernels.put("attn QK^T [2,12,128,32]", () -> TensorMath.mm(q, q, false, true));
    kernels.put("attn PV [2,12,128,128]x[..,32]", () -> TensorMath.mm(p, q));
    kernels.put("erf [256,1536]", () -> Nd4j.exec(new Erf(x, out)));
    kernels.put("exp [256,1536]", () -> Nd4j.exec(new Exp(x, out)));
    kernels.put("mul pairwise [256,1536]", () -> out.assign(x).muli(y));
    kernels.put("assign copy [256,1536]", () -> out.assign(x));
    kernels.put("mul scalar [256,1536]", () -> out.assign(x).muli(0.5));
    kernels.put("addiRowVector [256,1536]", () -> out.assign(x).addiRowVector(row));
    kernels.put("mean rows [256,1536]", () -> x.mean(true, 1));
    kernels.put("softmax [2,12,128,128]", () -> Nd4j.exec(new SoftMax(p, p.ulike(), 3)));
    kernels.put("permute dup [2,128,12,32]", () -> q.permute(0, 2, 1, 3).dup('c'));
    for (Map.Entry<String, Runnable> k : kernels.entrySet()) {
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        k.getValue().run();
      }
      for (int i = 0; i < reps; i++) {
        long t = System.nanoTime();
        k.getValue().run();
        best = Math.min(best, (System.nanoTime() - t) / 1e3);
      }
      System.out.printf(Locale.ROOT, "kernel %s %-32s %9.1f us%n", label, k.getKey(), best);
    }
  }
}
