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
 * arrays, batched over the whole minibatch (no per-example loops). Pure functions of their inputs.
 */
final class TensorMath {

  private static final double SQRT2 = Math.sqrt(2.0);
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
  private static final double TANH_C = Math.sqrt(2.0 / Math.PI);

  private TensorMath() {}

  /** y = x W + b, x [n, in], W [in, out], b [out]. */
  static INDArray linear(INDArray x, INDArray w, INDArray b) {
    INDArray y = x.mmul(w);
    y.addiRowVector(b);
    return y;
  }

  /** Writes dW = x^T dy into {@code dW} and db = colsum(dy) into {@code db} (either may be null: frozen). */
  static void linearParamGrads(INDArray x, INDArray dy, INDArray dW, INDArray db) {
    if (dW != null) {
      dW.assign(x.transpose().mmul(dy));
    }
    if (db != null) {
      db.assign(dy.sum(0));
    }
  }

  /** dx = dy W^T. */
  static INDArray linearInputGrad(INDArray dy, INDArray w) {
    return dy.mmul(w.transpose());
  }

  /** LayerNorm forward state kept for backprop. */
  record Norm(INDArray xhat, INDArray inv, INDArray y) {}

  static Norm layerNorm(INDArray x, INDArray gamma, INDArray beta, double eps) {
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

  static INDArray gelu(INDArray x, BertConfig.Activation kind) {
    if (kind == BertConfig.Activation.GELU_ERF) {
      INDArray erf = erf(x.div(SQRT2));
      return erf.addi(1.0).muli(x).muli(0.5);
    }
    INDArray u = x.mul(x).muli(x).muli(0.044715).addi(x).muli(TANH_C);
    INDArray t = tanh(u);
    return t.addi(1.0).muli(x).muli(0.5);
  }

  /** dL/dx given dL/dy for y = gelu(x). */
  static INDArray geluBackward(INDArray x, INDArray dy, BertConfig.Activation kind) {
    INDArray derivative;
    if (kind == BertConfig.Activation.GELU_ERF) {
      INDArray cdf = erf(x.div(SQRT2)).addi(1.0).muli(0.5);
      INDArray pdf = Transforms.exp(x.mul(x).muli(-0.5), false).muli(INV_SQRT_2PI);
      derivative = cdf.addi(pdf.muli(x));
    } else {
      INDArray x2 = x.mul(x);
      INDArray u = x2.mul(x).muli(0.044715).addi(x).muli(TANH_C);
      INDArray t = tanh(u);
      INDArray du = x2.muli(3 * 0.044715).addi(1.0).muli(TANH_C);
      INDArray sech2 = t.mul(t).rsubi(1.0);
      derivative = t.addi(1.0).muli(0.5).addi(sech2.muli(du).muli(x).muli(0.5));
    }
    return derivative.muli(dy);
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

  /** Additive key mask [batch, 1, 1, seq]: 0 for tokens, a large negative number for padding; null = no mask. */
  static INDArray keyMaskBias(INDArray mask, long batch, long seq, org.nd4j.linalg.api.buffer.DataType type) {
    if (mask == null) {
      return null;
    }
    return mask.castTo(type).reshape('c', batch, 1, 1, seq).sub(1.0).muli(1e9);
  }

  /** Softmax over the last axis of a 4-D array, in place. */
  static INDArray softmaxLastAxis(INDArray scores) {
    Nd4j.exec(new SoftMax(scores, scores, 3));
    return scores;
  }

  /** dL/dS for P = softmax(S) over the last axis, given dL/dP. */
  static INDArray softmaxBackward(INDArray p, INDArray dp) {
    INDArray dot = dp.mul(p).sum(true, 3);
    return dp.sub(dot).muli(p);
  }
}
