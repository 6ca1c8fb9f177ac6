package org.sparkpeft.models.peft.ia3;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.ParamLayout;
import org.sparkpeft.models.bert.layers.ProjectionHook;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/**
 * IA3 in a BERT block (Liu et al. 2022): a learned vector {@code key.ia3} [1, n], initialised to 1, scales a
 * targeted projection — its output for key/value/query/attention_output/intermediate ({@code y = (x W + b) * l},
 * n = out), its input for the feed-forward output projection ({@code y = (x * l) W + b}, n = intermediate: the FFN
 * activation), as PEFT's IA3 does for feed-forward modules.
 *
 * @param targets the roles with an IA3 vector (non-empty)
 */
public record Ia3Hook(Set<DenseRole> targets) implements ProjectionHook {

  private static final String UNSCALED = "unscaled";

  public Ia3Hook {
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("IA3 needs at least one target role");
    }
    targets = java.util.Collections.unmodifiableSet(EnumSet.copyOf(targets));
  }

  /** The IA3 scaling vector [1, n] of {@code role}. */
  public static String vector(DenseRole role) {
    return role.paramPrefix() + ".ia3";
  }

  /** Whether IA3 scales the input of {@code role} (the feed-forward output projection) rather than its output. */
  public static boolean scalesInput(DenseRole role) {
    return role == DenseRole.OUTPUT;
  }

  /** Size of the IA3 vector of {@code role} in {@code block}. */
  public static int size(TransformerBlockConf block, DenseRole role) {
    return scalesInput(role) ? block.nIn(role) : block.nOut(role);
  }

  @Override
  public boolean wraps(DenseRole role) {
    return targets.contains(role);
  }

  @Override
  public void declare(ParamLayout layout, TransformerBlockConf block) {
    targets.forEach(role -> layout.add(vector(role), 1, size(block, role)));
  }

  @Override
  public void initialize(Map<String, INDArray> views, TransformerBlockConf block) {
    targets.forEach(role -> views.get(vector(role)).assign(1.0));
  }

  @Override
  public String paramGroup(String param) {
    return targets.stream().anyMatch(role -> param.equals(vector(role))) ? "ia3" : null;
  }

  /** (x * l) W + b for the input-scaled role, else (x W + b) * l, saving the unscaled output. */
  @Override
  public INDArray forward(DenseRole role, INDArray x, Inner inner, Params params, boolean training,
                          Map<String, INDArray> saved) {
    INDArray scaling = params.param(vector(role));
    if (scalesInput(role)) {
      return inner.forward(x.mulRowVector(scaling));
    }
    INDArray y = inner.forward(x);
    saved.put(UNSCALED, y.dup());
    return y.muliRowVector(scaling);
  }

  /** An input scaling's gradient is read from the dense's input gradient; an output scaling's is not. */
  @Override
  public boolean needsInnerInputGradient(DenseRole role) {
    return scalesInput(role);
  }

  @Override
  public INDArray backward(DenseRole role, INDArray x, INDArray dyOut, InnerBackward inner, Params params,
                           Map<String, INDArray> saved) {
    INDArray scaling = params.param(vector(role));
    INDArray dScaling = params.grad(vector(role));
    if (scalesInput(role)) {
      INDArray dx = inner.backward(x.mulRowVector(scaling), dyOut);
      if (dScaling != null) {
        dScaling.assign(dx.mul(x).sum(0).reshape(dScaling.shape()));
      }
      return dx.muliRowVector(scaling);
    }
    if (dScaling != null) {
      dScaling.assign(dyOut.mul(saved.get(UNSCALED)).sum(0).reshape(dScaling.shape()));
    }
    return inner.backward(x, dyOut.mulRowVector(scaling));
  }
}
