package org.sparkpeft.models.bert.layers;

import static org.sparkpeft.models.bert.layers.TransformerBlockConf.ATTENTION_LN_BETA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.ATTENTION_LN_GAMMA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.OUTPUT_LN_BETA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.OUTPUT_LN_GAMMA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.bias;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.weight;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.DenseRole;

/**
 * The computation of {@link TransformerBlockConf}. Forward keeps what backprop needs (outside any workspace);
 * backprop computes gradients only for parameters that are not frozen.
 */
public class TransformerBlockLayer extends SparkpeftLayer<TransformerBlockConf> {

  /** Forward intermediates for backprop. */
  private record Cache(long batch, long seq, INDArray x, INDArray qh, INDArray kh, INDArray vh, INDArray probs,
                       INDArray context, TensorMath.Norm norm1, TensorMath.Gelu act,
                       TensorMath.Norm norm2, Trace trace) {}

  /** The PEFT paths' forward state: what each projection hook saved, by {@link #hookKey}. */
  private record Trace(Map<String, Map<String, INDArray>> hooks) {
    Trace() {
      this(new HashMap<>());
    }
  }

  /** The block's parameters and trainable gradients, as the projection hooks see them. */
  private final ProjectionHook.Params hookParams = new ProjectionHook.Params() {
    @Override
    public INDArray param(String name) {
      return getParam(name);
    }

    @Override
    public INDArray grad(String name) {
      return TransformerBlockLayer.this.grad(name);
    }
  };

  private Cache cache;

  public TransformerBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    INDArray out;
    try (MemoryWorkspace ignored = workspaces.forward()) {
      Cache c = forward(input, maskArray, training);
      cache = training ? keep(c) : null;
      out = LayerWorkspaces.handOverActivation(workspaceMgr,
          c.norm2().y().reshape('c', c.batch(), c.seq(), layerConf().getHidden()), training, kept);
    }
    return out;
  }

  private Cache forward(INDArray in, INDArray mask, boolean training) {
    TransformerBlockConf conf = layerConf();
    if (training) {
      for (ProjectionHook hook : conf.getHooks()) {
        String refusal = hook.trainingRefusal();
        if (refusal != null) {
          throw new IllegalStateException(layerId() + " " + refusal);
        }
      }
    }
    Trace trace = new Trace();
    long batch = in.size(0);
    long seq = in.size(1);
    int heads = conf.getHeads();
    int dim = conf.getHidden() / heads;
    INDArray x = in.dup('c').reshape('c', batch * seq, conf.getHidden());
    // the 1/sqrt(dim) of the scores is applied to the queries (seq / dim times fewer elements than the scores)
    INDArray qh = TensorMath.splitHeads(dense(x, DenseRole.QUERY, training, trace), batch, seq, heads, dim)
        .muli(1.0 / Math.sqrt(dim));
    INDArray kh = TensorMath.splitHeads(dense(x, DenseRole.KEY, training, trace), batch, seq, heads, dim);
    INDArray vh = TensorMath.splitHeads(dense(x, DenseRole.VALUE, training, trace), batch, seq, heads, dim);
    // in training, the arrays backprop keeps that are largest ([batch, heads, seq, seq] and [rows, intermediate]) are
    // computed straight into the kept buffers: keep() then copies nothing for them
    INDArray scores = training
        ? TensorMath.mm(qh, kh, false, true, kept.slot("probs", qh.dataType(), batch, heads, seq, seq))
        : TensorMath.mm(qh, kh, false, true);
    INDArray maskBias = TensorMath.keyMaskBias(mask, batch, seq, scores.dataType());
    if (maskBias != null) {
      scores.addi(maskBias);
    }
    INDArray probs = TensorMath.softmaxLastAxis(scores);
    INDArray context = TensorMath.mergeHeads(TensorMath.mm(probs, vh));
    INDArray attended = dense(context, DenseRole.ATTENTION_OUTPUT, training, trace).addi(x);
    TensorMath.Norm norm1 = TensorMath.layerNorm(attended, getParam(ATTENTION_LN_GAMMA), getParam(ATTENTION_LN_BETA),
        conf.getLayerNormEps());
    INDArray inter = dense(norm1.y(), DenseRole.INTERMEDIATE, training, trace);
    TensorMath.Gelu act = training
        ? TensorMath.gelu(inter, conf.getActivation(), kept.slot("act.y", inter.dataType(), inter.shape()),
            kept.slot("act.derivative", inter.dataType(), inter.shape()))
        : new TensorMath.Gelu(TensorMath.geluValue(inter, conf.getActivation()), null);
    INDArray ffn = dense(act.y(), DenseRole.OUTPUT, training, trace).addi(norm1.y());
    TensorMath.Norm norm2 = TensorMath.layerNorm(ffn, getParam(OUTPUT_LN_GAMMA), getParam(OUTPUT_LN_BETA),
        conf.getLayerNormEps());
    return new Cache(batch, seq, x, qh, kh, vh, probs, context, norm1, act, norm2, trace);
  }

  /** The forward state backprop needs, copied out of the forward workspace into reused buffers. */
  private Cache keep(Cache c) {
    return new Cache(c.batch(), c.seq(), kept.keep("x", c.x()), kept.keep("qh", c.qh()), kept.keep("kh", c.kh()),
        kept.keep("vh", c.vh()), kept.keep("probs", c.probs()), kept.keep("context", c.context()),
        kept.keep("norm1", c.norm1(), true), kept.keep("act", c.act()),
        kept.keep("norm2", c.norm2(), false), keep(c.trace()));
  }

  private Trace keep(Trace trace) {
    Trace out = new Trace();
    trace.hooks().forEach((key, saved) -> {
      Map<String, INDArray> copy = new HashMap<>();
      saved.forEach((name, array) -> copy.put(name, kept.keep("hook." + key + "." + name, array)));
      out.hooks().put(key, copy);
    });
    return out;
  }

  /** The key of what hook {@code index} saved around the dense of {@code role}. */
  private static String hookKey(DenseRole role, int index) {
    return role.paramPrefix() + "." + index;
  }

  /** x W + b, adapted by the hooks that wrap {@code role} (the first innermost); records what they save. */
  private INDArray dense(INDArray x, DenseRole role, boolean training, Trace trace) {
    return denseForward(x, role, layerConf().getHooks(), layerConf().getHooks().size(), training, trace);
  }

  /** The dense as adapted by the first {@code depth} hooks. */
  private INDArray denseForward(INDArray x, DenseRole role, List<ProjectionHook> hooks, int depth, boolean training,
                                Trace trace) {
    if (depth == 0) {
      return TensorMath.linear(x, getParam(weight(role)), getParam(bias(role)));
    }
    ProjectionHook hook = hooks.get(depth - 1);
    ProjectionHook.Inner inner = in -> denseForward(in, role, hooks, depth - 1, training, trace);
    if (!hook.wraps(role)) {
      return inner.forward(x);
    }
    Map<String, INDArray> saved = new HashMap<>();
    trace.hooks().put(hookKey(role, depth - 1), saved);
    return hook.forward(role, x, inner, hookParams, training, saved);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (cache == null) {
      throw new IllegalStateException("backprop in " + layerId() + " without a training forward pass");
    }
    Cache c = cache;
    TransformerBlockConf conf = layerConf();
    if (conf.skipsBackprop()) {
      // nothing here or upstream trains: the input gradient would be discarded (its parameter gradients stay zero)
      cache = null;
      return new Pair<>(parameterGradients(), unusedInputGradient(workspaceMgr, c));
    }
    // nothing upstream trains: only this block's parameter gradients, not dL/dx (PyTorch's autograd skips it too)
    boolean inputGradient = !conf.isUpstreamFrozen();
    INDArray dx;
    try (MemoryWorkspace ignored = workspaces.backward()) {
      INDArray dOut = epsilon.dup('c').reshape('c', c.batch() * c.seq(), conf.getHidden());
      INDArray dFfn = TensorMath.layerNormBackward(c.norm2(), getParam(OUTPUT_LN_GAMMA), dOut,
          grad(OUTPUT_LN_GAMMA), grad(OUTPUT_LN_BETA));
      Trace trace = c.trace();
      INDArray dAct = denseBackward(c.act().y(), dFfn, DenseRole.OUTPUT, trace);
      INDArray dInter = TensorMath.geluBackward(c.act().derivative(), dAct);
      INDArray dNorm1 = denseBackward(c.norm1().y(), dInter, DenseRole.INTERMEDIATE, trace).addi(dFfn);
      INDArray dAttended = TensorMath.layerNormBackward(c.norm1(), getParam(ATTENTION_LN_GAMMA), dNorm1,
          grad(ATTENTION_LN_GAMMA), grad(ATTENTION_LN_BETA));
      INDArray dContext = denseBackward(c.context(), dAttended, DenseRole.ATTENTION_OUTPUT, trace);

      int heads = conf.getHeads();
      int dim = conf.getHidden() / heads;
      INDArray dContextHeads = TensorMath.splitHeads(dContext, c.batch(), c.seq(), heads, dim);
      boolean query = inputGradient || trains(DenseRole.QUERY);
      boolean key = inputGradient || trains(DenseRole.KEY);
      INDArray dQ = null;
      INDArray dK = null;
      if (query || key) {
        INDArray dProbs = TensorMath.mm(dContextHeads, c.vh(), false, true);
        // scores = q' k^T with q' = q / sqrt(dim) (the cache keeps q'): dq = dS k / sqrt(dim), dk = dS^T q'
        INDArray dScores = TensorMath.softmaxBackwardInPlace(c.probs(), dProbs);
        dQ = query ? TensorMath.mm(dScores, c.kh()).muli(1.0 / Math.sqrt(dim)) : null;
        dK = key ? TensorMath.mm(dScores, c.qh(), true, false) : null;
      }
      INDArray dV = inputGradient || trains(DenseRole.VALUE) ? TensorMath.mm(c.probs(), dContextHeads, true, false)
          : null;
      if (inputGradient) {
        dx = dAttended;
        dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dQ), DenseRole.QUERY, trace));
        dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dK), DenseRole.KEY, trace));
        dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dV), DenseRole.VALUE, trace));
        dx = LayerWorkspaces.handOverGradient(workspaceMgr, dx.reshape('c', c.batch(), c.seq(), conf.getHidden()),
            kept);
      } else {
        projectionParamGrads(c.x(), dQ, DenseRole.QUERY, trace);
        projectionParamGrads(c.x(), dK, DenseRole.KEY, trace);
        projectionParamGrads(c.x(), dV, DenseRole.VALUE, trace);
        dx = null;
      }
    }
    if (dx == null) {
      dx = unusedInputGradient(workspaceMgr, c);
    }
    cache = null;
    return new Pair<>(parameterGradients(), dx);
  }

  /**
   * The input gradient returned where nothing upstream reads it (DL4J still passes one down): zeros, in a buffer this
   * layer reuses, not a fresh array each step.
   */
  private INDArray unusedInputGradient(LayerWorkspaceMgr workspaceMgr, Cache c) {
    INDArray zeros = kept.slot("unused.gradient", input.dataType(), c.batch(), c.seq(), layerConf().getHidden());
    zeros.assign(0.0);
    return LayerWorkspaces.isScopedOut(workspaceMgr) ? zeros
        : workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, zeros);
  }

  /** Whether the dense of {@code role} has a trainable weight or bias, or a hook wraps it. */
  private boolean trains(DenseRole role) {
    if (grad(weight(role)) != null || grad(bias(role)) != null) {
      return true;
    }
    for (ProjectionHook hook : layerConf().getHooks()) {
      if (hook.wraps(role)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The parameter gradients of a query, key or value projection from its output gradient {@code dyHeads} (null when
   * it {@link #trains} nothing), where dL/dx is not needed: without the dense's input-gradient GEMM unless a hook
   * around it {@link ProjectionHook#needsInnerInputGradient needs it}.
   */
  private void projectionParamGrads(INDArray x, INDArray dyHeads, DenseRole role, Trace trace) {
    if (dyHeads == null || !trains(role)) {
      return;
    }
    INDArray dy = TensorMath.mergeHeads(dyHeads);
    List<ProjectionHook> hooks = layerConf().getHooks();
    boolean innerNeeded = false;
    for (ProjectionHook hook : hooks) {
      innerNeeded |= hook.wraps(role) && hook.needsInnerInputGradient(role);
    }
    denseBackward(x, dy, role, hooks, hooks.size(), trace, innerNeeded);
  }

  /**
   * Parameter gradients of one dense (skipped when frozen) and of the hooks that wrap it, and the gradient w.r.t.
   * its input.
   */
  private INDArray denseBackward(INDArray x, INDArray dy, DenseRole role, Trace trace) {
    return denseBackward(x, dy, role, layerConf().getHooks(), layerConf().getHooks().size(), trace);
  }

  private INDArray denseBackward(INDArray x, INDArray dy, DenseRole role, List<ProjectionHook> hooks, int depth,
                                 Trace trace) {
    return denseBackward(x, dy, role, hooks, depth, trace, true);
  }

  /** As above; without {@code inputGradient} the plain dense returns an array of undefined values for dL/dx. */
  private INDArray denseBackward(INDArray x, INDArray dy, DenseRole role, List<ProjectionHook> hooks, int depth,
                                 Trace trace, boolean inputGradient) {
    if (depth == 0) {
      TensorMath.linearParamGrads(x, dy, grad(weight(role)), grad(bias(role)));
      return inputGradient ? TensorMath.linearInputGrad(dy, getParam(weight(role)))
          : Nd4j.createUninitialized(x.dataType(), x.shape());
    }
    ProjectionHook hook = hooks.get(depth - 1);
    ProjectionHook.InnerBackward inner = (in, d) -> denseBackward(in, d, role, hooks, depth - 1, trace,
        inputGradient);
    if (!hook.wraps(role)) {
      return inner.backward(x, dy);
    }
    return hook.backward(role, x, dy, inner, hookParams, trace.hooks().get(hookKey(role, depth - 1)));
  }

  @Override
  protected void dropCache() {
    cache = null;
  }
}
