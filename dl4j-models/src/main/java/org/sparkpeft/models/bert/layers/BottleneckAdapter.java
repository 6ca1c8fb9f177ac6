package org.sparkpeft.models.bert.layers;

import java.util.function.Function;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward and backward of one Houlsby bottleneck adapter on [rows, hidden] activations:
 * {@code out = h + up(act(down(h)))} (or without {@code h} when the residual is off), with
 * {@code down(h) = h Wd + bd} [rows, size] and {@code up(a) = a Wu + bu} [rows, hidden].
 */
final class BottleneckAdapter {

  /** What backprop needs: the adapter's input, the bottleneck pre-activation and activation. */
  record State(INDArray h, INDArray z, INDArray a) {
    State keep(KeptArrays kept, String name) {
      return new State(kept.keep(name + ".h", h), kept.keep(name + ".z", z), kept.keep(name + ".a", a));
    }
  }

  /** The adapter's parameter names at {@code site} (e.g. "attentionAdapter"). */
  record Params(String downW, String downB, String upW, String upB) {
    static Params at(String site) {
      return new Params(site + ".down.W", site + ".down.b", site + ".up.W", site + ".up.b");
    }

    void addTo(ParamLayout layout, int hidden, int size) {
      layout.add(downW, hidden, size).add(downB, size).add(upW, size, hidden).add(upB, hidden);
    }

    /** Near-identity: down N(0, 0.01²), everything else zero, so the adapter's output starts at zero. */
    void initialize(java.util.Map<String, INDArray> views) {
      INDArray down = views.get(downW);
      down.assign(org.nd4j.linalg.factory.Nd4j.randn(down.dataType(), down.shape()).muli(0.01));
      views.get(downB).assign(0.0);
      views.get(upW).assign(0.0);
      views.get(upB).assign(0.0);
    }
  }

  private BottleneckAdapter() {}

  /** Returns the adapter's output; {@code state[0]} receives the backprop state. */
  static INDArray forward(INDArray h, Params p, Function<String, INDArray> param, AdapterActivation activation,
                          boolean residual, State[] state) {
    INDArray z = TensorMath.linear(h, param.apply(p.downW()), param.apply(p.downB()));
    INDArray a = activation.apply(z);
    INDArray u = TensorMath.linear(a, param.apply(p.upW()), param.apply(p.upB()));
    state[0] = new State(h, z, a);
    return residual ? u.addi(h) : u;
  }

  /** Writes the trainable parameter gradients ({@code grad} returns null for frozen ones); returns dL/dh. */
  static INDArray backward(State s, INDArray dOut, Params p, Function<String, INDArray> param,
                           Function<String, INDArray> grad, AdapterActivation activation, boolean residual) {
    TensorMath.linearParamGrads(s.a(), dOut, grad.apply(p.upW()), grad.apply(p.upB()));
    INDArray da = TensorMath.linearInputGrad(dOut, param.apply(p.upW()));
    INDArray dz = activation.backward(s.z(), s.a(), da);
    TensorMath.linearParamGrads(s.h(), dz, grad.apply(p.downW()), grad.apply(p.downB()));
    INDArray dh = TensorMath.linearInputGrad(dz, param.apply(p.downW()));
    return residual ? dh.addi(dOut) : dh;
  }
}
