package org.sparkpeft.models.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.layers.TensorMath;

/**
 * A probe (not a test, not the bench): the best-of-N time of each kind of op one MiniLM training step at batch 32
 * and sequence 128 runs, with its shapes, so native builds and op variants compare on a busy machine (the best of
 * many short runs is what the machine does when it is not preempted). {@code java ... OpProbe LABEL [reps]}
 * ({@code -Dprobe.only=TEXT}: only the ops whose name contains it);
 * prints {@code op LABEL NAME ms GFLOP/s}.
 */
public final class OpProbe {

  private OpProbe() {}

  public static void main(String[] args) {
    String label = args[0];
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int threads = Integer.getInteger("sparkpeft.bench.threads", 2);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    String lib = String.valueOf(Loader.getLoadedLibraries().get("nd4jcpu"));
    System.out.println("native " + label + " " + lib.substring(lib.lastIndexOf("bindings/") + 9));
    int b = 32;
    int s = 128;
    int h = 384;
    int heads = 12;
    int d = 32;
    int f = 1536;
    int rows = b * s;
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, rows, h);
    INDArray xf = Nd4j.rand(DataType.FLOAT, rows, f);
    INDArray w = Nd4j.rand(DataType.FLOAT, h, f);
    INDArray w2 = Nd4j.rand(DataType.FLOAT, f, h);
    INDArray wq = Nd4j.rand(DataType.FLOAT, h, h);
    INDArray bias = Nd4j.rand(DataType.FLOAT, f);
    INDArray q = Nd4j.rand(DataType.FLOAT, b, heads, s, d);
    INDArray k = Nd4j.rand(DataType.FLOAT, b, heads, s, d);
    INDArray p = Nd4j.rand(DataType.FLOAT, b, heads, s, s);
    INDArray gamma = Nd4j.rand(DataType.FLOAT, h);
    INDArray loraA = Nd4j.rand(DataType.FLOAT, h, 8);
    Map<String, Runnable> ops = new LinkedHashMap<>();
    Map<String, Double> flops = new LinkedHashMap<>();
    ops.put("gemm x[4096,384]W[384,1536]", () -> TensorMath.mm(x, w));
    flops.put("gemm x[4096,384]W[384,1536]", 2.0 * rows * h * f);
    ops.put("gemm x[4096,1536]W[1536,384]", () -> TensorMath.mm(xf, w2));
    flops.put("gemm x[4096,1536]W[1536,384]", 2.0 * rows * h * f);
    ops.put("gemm x[4096,384]W[384,384]", () -> TensorMath.mm(x, wq));
    flops.put("gemm x[4096,384]W[384,384]", 2.0 * rows * h * h);
    ops.put("gemm dy[4096,1536]W^T (input grad)", () -> TensorMath.mm(xf, w, false, true));
    flops.put("gemm dy[4096,1536]W^T (input grad)", 2.0 * rows * h * f);
    ops.put("gemm lora x[4096,384]A[384,8]", () -> TensorMath.mm(x, loraA));
    flops.put("gemm lora x[4096,384]A[384,8]", 2.0 * rows * h * 8);
    ops.put("gemm lora x^T dH [384,4096][4096,8]", () -> TensorMath.mm(x, x.get(
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8)), true,
        false));
    flops.put("gemm lora x^T dH [384,4096][4096,8]", 2.0 * rows * h * 8);
    ops.put("attn QK^T [32,12,128,32]", () -> TensorMath.mm(q, k, false, true));
    flops.put("attn QK^T [32,12,128,32]", 2.0 * b * heads * s * s * d);
    ops.put("attn PV [32,12,128,128]x[..,128,32]", () -> TensorMath.mm(p, k));
    flops.put("attn PV [32,12,128,128]x[..,128,32]", 2.0 * b * heads * s * s * d);
    ops.put("attn P^T dC (dV)", () -> TensorMath.mm(p, k, true, false));
    flops.put("attn P^T dC (dV)", 2.0 * b * heads * s * s * d);
    ops.put("softmax [32,12,128,128]", () -> Nd4j.exec(new SoftMax(p.dup(), p.dup(), 3)));
    ops.put("dup [32,12,128,128] (softmax's copy)", () -> p.dup());
    ops.put("gelu erf fwd [4096,1536]", () -> TensorMath.gelu(xf, BertConfig.Activation.GELU_ERF));
    ops.put("gelu erf bwd [4096,1536]", () -> TensorMath.geluBackward(xf, xf));
    ops.put("addiRowVector bias [4096,1536]", () -> xf.addiRowVector(bias));
    ops.put("copy assign [4096,1536]", () -> Nd4j.createUninitialized(DataType.FLOAT, rows, f).assign(xf));
    ops.put("splitHeads permute+dup [4096,384]", () -> x.reshape('c', b, s, heads, d).permute(0, 2, 1, 3).dup('c'));
    ops.put("bernoulli mask [4096,384]", () -> Nd4j.getExecutioner().exec(new BernoulliDistribution(
        Nd4j.createUninitialized(DataType.FLOAT, rows, h), 0.9)));
    ops.put("layernorm-ish mean+sub+var [4096,384]", () -> {
      INDArray mean = x.mean(true, 1);
      INDArray xc = x.subColumnVector(mean);
      xc.mul(xc).mean(true, 1);
      xc.mulRowVector(gamma);
    });
    List<String> out = new ArrayList<>();
    String only = System.getProperty("probe.only", "");
    for (Map.Entry<String, Runnable> op : ops.entrySet()) {
      if (!op.getKey().contains(only)) {
        continue;
      }
      double best = Double.MAX_VALUE;
      op.getValue().run();
      for (int i = 0; i < reps; i++) {
        long t = System.nanoTime();
        op.getValue().run();
        best = Math.min(best, (System.nanoTime() - t) / 1e6);
      }
      Double fl = flops.get(op.getKey());
      out.add(String.format(Locale.ROOT, "op %s %-40s %8.2f ms %s", label, op.getKey(), best,
          fl == null ? "" : String.format(Locale.ROOT, "%6.1f GFLOP/s", fl / best / 1e6)));
      System.out.println(out.get(out.size() - 1));
    }
  }
}
