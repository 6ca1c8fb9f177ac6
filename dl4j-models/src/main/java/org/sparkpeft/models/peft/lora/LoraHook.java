package org.sparkpeft.models.peft.lora;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.ParamLayout;
import org.sparkpeft.models.bert.layers.ProjectionHook;
import org.sparkpeft.models.bert.layers.TensorMath;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/**
 * LoRA in a BERT block: for each targeted role the block holds {@code query.loraA} [in, r] (Kaiming-uniform) and
 * {@code query.loraB} [r, out] (zeros), and the dense computes {@code y = x W + b + scale (drop(x) A) B}. While
 * {@code merged} ({@link LoraMerge}), {@code W} already holds {@code W + scale A B} and the LoRA path is skipped;
 * a merged block refuses to train.
 *
 * @param rank r (>= 1)
 * @param scale the factor of A B (alpha / r, or alpha / sqrt(r) with rsLoRA)
 * @param dropout dropout on the LoRA path's input, in [0, 1), in training only
 * @param targets the roles with LoRA (non-empty)
 * @param merged whether W holds the LoRA update
 */
public record LoraHook(int rank, double scale, double dropout, Set<DenseRole> targets, boolean merged)
    implements ProjectionHook {

  private static final String HIDDEN = "hidden";
  private static final String INPUT = "input";
  private static final String MASK = "mask";

  public LoraHook {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    }
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("LoRA needs at least one target role");
    }
    targets = java.util.Collections.unmodifiableSet(EnumSet.copyOf(targets));
  }

  /** LoRA down-projection [in, r] of {@code role}. */
  public static String a(DenseRole role) {
    return role.paramPrefix() + ".loraA";
  }

  /** LoRA up-projection [r, out] of {@code role}. */
  public static String b(DenseRole role) {
    return role.paramPrefix() + ".loraB";
  }

  /** This hook, merged into W or not. */
  public LoraHook withMerged(boolean merged) {
    return new LoraHook(rank, scale, dropout, targets, merged);
  }

  /** This hook with another dropout. */
  public LoraHook withDropout(double dropout) {
    return new LoraHook(rank, scale, dropout, targets, merged);
  }

  @Override
  public boolean wraps(DenseRole role) {
    return targets.contains(role);
  }

  @Override
  public void declare(ParamLayout layout, TransformerBlockConf block) {
    for (DenseRole role : targets) {
      layout.add(a(role), block.nIn(role), rank);
      layout.add(b(role), rank, block.nOut(role));
    }
  }

  @Override
  public void initialize(Map<String, INDArray> views, TransformerBlockConf block) {
    for (DenseRole role : targets) {
      // PEFT: kaiming_uniform_(a=sqrt(5)) on A, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)); B = 0
      INDArray a = views.get(a(role));
      double bound = 1.0 / Math.sqrt(block.nIn(role));
      a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(2 * bound).subi(bound));
      views.get(b(role)).assign(0.0);
    }
  }

  @Override
  public String paramGroup(String param) {
    return targets.stream().anyMatch(role -> param.equals(a(role)) || param.equals(b(role))) ? "lora" : null;
  }

  @Override
  public String trainingRefusal() {
    return merged ? "has its LoRA merged into the base weights: unmerge before training" : null;
  }

  /**
   * y + scale (drop(x) A) B; saves {@code hidden} = drop(x) A and, with dropout, {@code input} = drop(x) and
   * {@code mask} the scaled keep mask (drop(x) = x without dropout).
   */
  @Override
  public INDArray forward(DenseRole role, INDArray x, Inner inner, Params params, boolean training,
                          Map<String, INDArray> saved) {
    INDArray y = inner.forward(x);
    if (merged) {
      return y;
    }
    INDArray input = null;
    if (training && dropout > 0) {
      INDArray keepMask = Nd4j.createUninitialized(x.dataType(), x.shape());
      Nd4j.getExecutioner().exec(new BernoulliDistribution(keepMask, 1.0 - dropout));
      keepMask.muli(1.0 / (1.0 - dropout));
      input = x.mul(keepMask);
      saved.put(INPUT, input);
      saved.put(MASK, keepMask);
    }
    INDArray hidden = TensorMath.mm(input == null ? x : input, params.param(a(role)));
    TensorMath.gemmInto(hidden, params.param(b(role)), false, false, scale, 1.0, y); // y += scale hidden B
    saved.put(HIDDEN, hidden);
    return y;
  }

  /** LoRA's gradients come from dy and its own forward state; the dense's input gradient only passes through. */
  @Override
  public boolean needsInnerInputGradient(DenseRole role) {
    return false;
  }

  @Override
  public INDArray backward(DenseRole role, INDArray x, INDArray dy, InnerBackward inner, Params params,
                           Map<String, INDArray> saved) {
    INDArray dx = inner.backward(x, dy);
    INDArray hidden = saved.get(HIDDEN);
    if (hidden == null) {
      return dx; // merged: no LoRA path ran
    }
    INDArray dB = params.grad(b(role));
    if (dB != null) {
      TensorMath.gemmInto(hidden, dy, true, false, scale, 0.0, dB);
    }
    INDArray dHidden = TensorMath.gemmInto(dy, params.param(b(role)), false, true, scale, 0.0,
        Nd4j.createUninitialized(hidden.dataType(), hidden.shape()));
    INDArray dA = params.grad(a(role));
    INDArray input = saved.get(INPUT);
    if (dA != null) {
      TensorMath.gemmInto(input == null ? x : input, dHidden, true, false, 1.0, 0.0, dA);
    }
    INDArray mask = saved.get(MASK);
    if (mask == null) {
      TensorMath.gemmInto(dHidden, params.param(a(role)), false, true, 1.0, 1.0, dx); // dx += dHidden A^T
    } else {
      dx.addi(TensorMath.mm(dHidden, params.param(a(role)), false, true).muli(mask));
    }
    return dx;
  }
}
