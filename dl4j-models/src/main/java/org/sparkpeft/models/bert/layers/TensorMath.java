package org.sparkpeft.models.bert.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparkpeft.models.bert.BertConfig;

/**
 * Forward and backward math of the transformer pieces, on 2-D [rows, features] or 4-D [batch, heads, seq, dim]
 * arrays, batched over the whole minibatch (no per-example loops). Pure functions of their inputs. Public for the
 * {@link ProjectionHook}s of the PEFT methods, which compute with the same ops.
 */
public final class TensorMath {

  private static final double SQRT2 = Math.sqrt(2.0);
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
  private static final double TANH_C = Math.sqrt(2.0 / Math.PI);

  private TensorMath() {}

  /**
   * op(a) op(b), where op transposes (the last two axes) when asked, into a new c-order array; 4-D arrays multiply
   * batched over the leading axes (attention's per-head products). ND4J's {@code MatMul} op hands the
   * transposes to BLAS; {@code INDArray.mmul} is 1.5–7× slower on these shapes (measured, MiniLM, one thread:
   * [2048, 384] x [384, 1536] 31 ms vs 12 ms) because it multiplies into an f-order result and then copies it.
   */
  public static INDArray mm(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
    return mm(a, b, transposeA, transposeB, null);
  }

  /**
   * op(a) op(b) written into {@code out} (of the product's shape; null: a new c-order array), which it returns. 4-D
   * float arrays on the CPU backend go to {@link BatchedGemm} (BLAS per block of rows of each slice), the rest to
   * ND4J's matmul.
   */
  public static INDArray mm(INDArray a, INDArray b, boolean transposeA, boolean transposeB, INDArray out) {
    if (a.rank() == 4 && BatchedGemm.applies(a, b, out)) {
      INDArray c = out != null ? out
          : Nd4j.createUninitialized(a.dataType(), BatchedGemm.productShape(a, b, transposeA, transposeB));
      KernelClock.run("batchedGemm", () -> BatchedGemm.multiply(a, b, transposeA, transposeB, c));
      return c;
    }
    return Nd4j.matmul(a, b, out, transposeA, transposeB, false);
  }

  /**
   * c = alpha op(a) op(b) + beta c, in place, for 2-D arrays (c may be a view: a gradient's slice of the flat
   * gradient); returns c. One BLAS call: no product array to allocate, scale and add (LoRA's low-rank products, whose
   * [rows, out] result was a temporary added to the dense output, took 2.5x PyTorch's time).
   */
  public static INDArray gemmInto(INDArray a, INDArray b, boolean transposeA, boolean transposeB, double alpha,
                                  double beta, INDArray c) {
    Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    return c;
  }

  /** a b. */
  public static INDArray mm(INDArray a, INDArray b) {
    return mm(a, b, false, false);
  }

  /**
   * y = x W + b, x [n, in], W [in, out], b [out]: b copied into every row of y, then one GEMM that adds x W to it
   * (beta = 1, as PyTorch's addmm), instead of a product and a broadcast add, which read and wrote y once more
   * (BiasProbe, 2 threads: [2048, 384] x [384, 1536] 18.7-21 ms against 20-25 ms).
   */
  public static INDArray linear(INDArray x, INDArray w, INDArray b) {
    if (x.rank() != 2 || w.rank() != 2) {
      return mm(x, w).addiRowVector(b);
    }
    INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(1));
    y.putiRowVector(b);
    return gemmInto(x, w, false, false, 1.0, 1.0, y);
  }

  /** Writes dW = x^T dy into {@code dW} and db = colsum(dy) into {@code db} (either may be null: frozen). */
  public static void linearParamGrads(INDArray x, INDArray dy, INDArray dW, INDArray db) {
    if (dW != null) {
      dW.assign(mm(x, dy, true, false));
    }
    if (db != null) {
      db.assign(dy.sum(0));
    }
  }

  /** dx = dy W^T. */
  public static INDArray linearInputGrad(INDArray dy, INDArray w) {
    return mm(dy, w, false, true);
  }

  /** LayerNorm forward state kept for backprop. Float arrays take {@link LayerNormKernel}, others op by op. */
  record Norm(INDArray xhat, INDArray inv, INDArray y) {}

  static Norm layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps) {
    if (x.rank() == 2 && LayerNormKernel.applies(x, gamma, beta)) {
      INDArray xhat = Nd4j.createUninitialized(x.dataType(), x.shape());
      INDArray inv = Nd4j.createUninitialized(x.dataType(), x.size(0), 1);
      INDArray y = Nd4j.createUninitialized(x.dataType(), x.shape());
      KernelClock.run("layerNorm", () -> LayerNormKernel.forward(x, gamma, beta, eps, xhat, inv, y));
      return new Norm(xhat, inv, y);
    }
    INDArray mean = x.mean(true, 1);
    INDArray xc = x.subColumnVector(mean);
    INDArray var = xc.mul(xc).mean(true, 1);
    INDArray inv = Transforms.pow(var.addi(eps), -0.5, false);
    INDArray xhat = xc.muliColumnVector(inv);
    INDArray y = xhat.mulRowVector(gamma).addiRowVector(beta);
    return new Norm(xhat, inv, y);
  }

  /** Returns dx; writes dgamma/dbeta where not null. */
  static INDArray layerNormBackward(Norm norm, INDArray gamma, INDArray dy, INDArray dGamma, INDArray dBeta) {
    if (dy.rank() == 2 && LayerNormKernel.applies(norm.xhat(), norm.inv(), gamma, dy)) {
      INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.shape());
      KernelClock.run("layerNormBackward",
          () -> LayerNormKernel.backward(norm.xhat(), norm.inv(), gamma, dy, dx, dGamma, dBeta));
      return dx;
    }
    if (dGamma != null) {
      dGamma.assign(dy.mul(norm.xhat()).sum(0));
    }
    if (dBeta != null) {
      dBeta.assign(dy.sum(0));
    }
    INDArray dxhat = dy.mulRowVector(gamma);
    INDArray meanD = dxhat.mean(true, 1);
    INDArray meanDx = dxhat.mul(norm.xhat()).mean(true, 1);
    return dxhat.subiColumnVector(meanD).subi(norm.xhat().mulColumnVector(meanDx)).muliColumnVector(norm.inv());
  }

  /**
   * GELU forward: {@code y} and its {@code derivative} dy/dx at each x, which is all backprop needs (x itself need not
   * be kept, and the backward is one multiply). Erf form: y = x Φ(x), dy/dx = Φ(x) + x φ(x) with
   * Φ(x) = (1 + erf(x / √2)) / 2; tanh form: y = x (1 + t) / 2 with t = tanh(√(2/π) (x + 0.044715 x³)). The erf form on
   * contiguous float arrays runs as one Java pass ({@link GeluKernel}); the rest op by op.
   */
  public record Gelu(INDArray y, INDArray derivative) {}

  public static Gelu gelu(INDArray x, BertConfig.Activation kind) {
    return gelu(x, kind, null, null);
  }

  /**
   * As {@link #gelu(INDArray, BertConfig.Activation)}, computing into {@code yOut} and {@code derivativeOut} (arrays
   * of x's shape and type, e.g. buffers that outlive the forward's workspace) where given, and returning them.
   */
  public static Gelu gelu(INDArray x, BertConfig.Activation kind, INDArray yOut, INDArray derivativeOut) {
    if (kind == BertConfig.Activation.GELU_ERF && GeluKernel.applies(x)) {
      INDArray y = yOut != null ? yOut : Nd4j.createUninitialized(x.dataType(), x.shape());
      INDArray d = derivativeOut != null ? derivativeOut : Nd4j.createUninitialized(x.dataType(), x.shape());
      if (GeluKernel.applies(x, y, d)) {
        KernelClock.run("gelu", () -> GeluKernel.forward(x, y, d));
        return new Gelu(y, d);
      }
    }
    Gelu g = geluOps(x, kind);
    return new Gelu(yOut != null ? yOut.assign(g.y()) : g.y(),
        derivativeOut != null ? derivativeOut.assign(g.derivative()) : g.derivative());
  }

  /** GELU's value alone (no derivative: inference), a new array. */
  public static INDArray geluValue(INDArray x, BertConfig.Activation kind) {
    if (kind == BertConfig.Activation.GELU_ERF && GeluKernel.applies(x)) {
      INDArray y = Nd4j.createUninitialized(x.dataType(), x.shape());
      KernelClock.run("geluValue", () -> GeluKernel.forward(x, y, null));
      return y;
    }
    return geluOps(x, kind).y();
  }

  private static Gelu geluOps(INDArray x, BertConfig.Activation kind) {
    if (kind == BertConfig.Activation.GELU_ERF) {
      INDArray cdf = erf(x.div(SQRT2)).addi(1.0).muli(0.5);
      INDArray pdf = Transforms.exp(x.mul(x).muli(-0.5), false).muli(INV_SQRT_2PI);
      return new Gelu(cdf.mul(x), pdf.muli(x).addi(cdf));
    }
    INDArray t = tanh(x.mul(x).muli(x).muli(0.044715).addi(x).muli(TANH_C));
    // (1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²) / 2
    INDArray du = x.mul(x).muli(3 * 0.044715).addi(1.0).muli(TANH_C);
    INDArray derivative = t.mul(t).rsubi(1.0).muli(du).muli(x).addi(t).addi(1.0).muli(0.5);
    return new Gelu(t.add(1.0).muli(x).muli(0.5), derivative);
  }

  /** dL/dx given dL/dy for y = gelu(x), from the forward's derivative (neither is modified), a new array. */
  public static INDArray geluBackward(INDArray derivative, INDArray dy) {
    return dy.mul(derivative);
  }

  /** erf, in place. */
  private static INDArray erf(INDArray x) {
    Nd4j.getExecutioner().exec(new Erf(x, x));
    return x;
  }

  /** tanh, in place. */
  private static INDArray tanh(INDArray x) {
    Nd4j.getExecutioner().exec(new Tanh(x, x));
    return x;
  }

  /** [batch*seq, heads*dim] -> contiguous [batch, heads, seq, dim]. */
  static INDArray splitHeads(INDArray x2d, long batch, long seq, int heads, int dim) {
    return x2d.reshape('c', batch, seq, heads, dim).permute(0, 2, 1, 3).dup('c');
  }

  /** [batch, heads, seq, dim] -> contiguous [batch*seq, heads*dim]. */
  static INDArray mergeHeads(INDArray x4d) {
    long[] s = x4d.shape();
    return x4d.permute(0, 2, 1, 3).dup('c').reshape('c', s[0] * s[2], s[1] * s[3]);
  }

  /**
   * Additive key mask [batch, 1, 1, seq]: 0 for tokens, a large negative number for padding; null when there is no
   * padding (no mask, or every position a token: a bucket of texts longer than max length), so the add is skipped.
   */
  static INDArray keyMaskBias(INDArray mask, long batch, long seq, org.nd4j.linalg.api.buffer.DataType type) {
    if (mask == null || noPadding(mask)) {
      return null;
    }
    return mask.castTo(type).reshape('c', batch, 1, 1, seq).sub(1.0).muli(1e9);
  }

  /**
   * Whether every mask entry is 1 (no padding). A float mask on the CPU backend is scanned in Java: the mask is
   * [batch, seq], and an ND4J reduction per layer cost more than the scan (measured: ~4 ms per call at batch 32).
   */
  static boolean noPadding(INDArray mask) {
    if (!GeluKernel.applies(mask)) {
      return mask.minNumber().doubleValue() >= 1.0;
    }
    java.nio.FloatBuffer values = GeluKernel.buffer(mask);
    for (int i = 0; i < values.limit(); i++) {
      if (values.get(i) < 1f) {
        return false;
      }
    }
    return true;
  }

  /** Softmax over the last axis of a 4-D array, in place. */
  static INDArray softmaxLastAxis(INDArray scores) {
    Nd4j.exec(new SoftMax(scores, scores, 3));
    return scores;
  }

  /** dL/dS for P = softmax(S) over the last axis, written over {@code dp} (dL/dP), which it returns. */
  static INDArray softmaxBackwardInPlace(INDArray p, INDArray dp) {
    if (LayerNormKernel.applies(p, dp) && p.length() == dp.length()) {
      KernelClock.run("softmaxBackwardInPlace", () -> SoftmaxKernel.backwardInPlace(p, dp));
      return dp;
    }
    INDArray dot = dp.mul(p).sum(true, 3);
    return dp.subi(dot).muli(p);
  }
}
