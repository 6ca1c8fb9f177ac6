package org.sparkpeft.models.peft.adapter;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.layers.ParamLayout;
import org.sparkpeft.models.bert.layers.ProjectionHook;
import org.sparkpeft.models.bert.layers.TensorMath;

/**
 * Forward and backward of one Houlsby bottleneck adapter on [rows, hidden] activations:
 * {@code out = h + up(act(down(h)))} (or without {@code h} when the residual is off), with
 * {@code down(h) = h Wd + bd} [rows, size] and {@code up(a) = a Wu + bu} [rows, hidden].
 */
final class BottleneckAdapter {

  /** What backprop needs, in a hook's saved arrays: the adapter's input, the bottleneck pre-activation and activation. */
  private static final String H = "h";
  private static final String Z = "z";
  private static final String A = "a";

  /** The adapter's parameter names at {@code site} (e.g. "attentionAdapter"). */
  record Params(String downW, String downB, String upW, String upB) {
    static Params at(String site) {
      return new Params(site + ".down.W", site + ".down.b", site + ".up.W", site + ".up.b");
    }

    java.util.List<String> names() {
      return java.util.List.of(downW, downB, upW, upB);
    }

    void addTo(ParamLayout layout, int hidden, int size) {
      layout.add(downW, hidden, size).add(downB, size).add(upW, size, hidden).add(upB, hidden);
    }

    /** Near-identity: down N(0, 0.01²), everything else zero, so the adapter's output starts at zero. */
    void initialize(Map<String, INDArray> views) {
      INDArray down = views.get(downW);
      down.assign(Nd4j.randn(down.dataType(), down.shape()).muli(0.01));
      views.get(downB).assign(0.0);
      views.get(upW).assign(0.0);
      views.get(upB).assign(0.0);
    }
  }

  private BottleneckAdapter() {}

  /** Returns the adapter's output; {@code saved} receives the backprop state. */
  static INDArray forward(INDArray h, Params p, ProjectionHook.Params param, AdapterActivation activation,
                          boolean residual, Map<String, INDArray> saved) {
    INDArray z = TensorMath.linear(h, param.param(p.downW()), param.param(p.downB()));
    INDArray a = activation.apply(z);
    INDArray u = TensorMath.linear(a, param.param(p.upW()), param.param(p.upB()));
    saved.put(H, h);
    saved.put(Z, z);
    saved.put(A, a);
    return residual ? u.addi(h) : u;
  }

  /** Writes the trainable parameter gradients (null for frozen ones); returns dL/dh. */
  static INDArray backward(Map<String, INDArray> saved, INDArray dOut, Params p, ProjectionHook.Params param,
                           AdapterActivation activation, boolean residual) {
    TensorMath.linearParamGrads(saved.get(A), dOut, param.grad(p.upW()), param.grad(p.upB()));
    INDArray da = TensorMath.linearInputGrad(dOut, param.param(p.upW()));
    INDArray dz = activation.backward(saved.get(Z), saved.get(A), da);
    TensorMath.linearParamGrads(saved.get(H), dz, param.grad(p.downW()), param.grad(p.downB()));
    INDArray dh = TensorMath.linearInputGrad(dz, param.param(p.downW()));
    return residual ? dh.addi(dOut) : dh;
  }
}
