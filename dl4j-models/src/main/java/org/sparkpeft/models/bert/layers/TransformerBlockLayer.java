package org.sparkpeft.models.bert.layers;

import static org.sparkpeft.models.bert.layers.TransformerBlockConf.ATTENTION_LN_BETA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.ATTENTION_LN_GAMMA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.OUTPUT_LN_BETA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.OUTPUT_LN_GAMMA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.bias;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.loraA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.loraB;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.weight;

import java.util.EnumMap;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.DenseRole;

/**
 * The computation of {@link TransformerBlockConf}. Forward keeps what backprop needs (outside any workspace);
 * backprop computes gradients only for parameters that are not frozen.
 */
public class TransformerBlockLayer extends SparkpeftLayer<TransformerBlockConf> {

  /** Forward intermediates for backprop. */
  private record Cache(long batch, long seq, INDArray x, INDArray qh, INDArray kh, INDArray vh, INDArray probs,
                       INDArray context, TensorMath.Norm norm1, INDArray inter, INDArray act,
                       TensorMath.Norm norm2, Map<DenseRole, Lora> lora) {}

  /**
   * Forward state of one LoRA path: {@code hidden} = drop(x) A; with dropout, {@code input} = drop(x) and
   * {@code mask} the scaled keep mask (both null without dropout: drop(x) = x).
   */
  private record Lora(INDArray hidden, INDArray input, INDArray mask) {}

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
      out = c.norm2().y().reshape('c', c.batch(), c.seq(), layerConf().getHidden()).detach();
    }
    return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
  }

  private Cache forward(INDArray in, INDArray mask, boolean training) {
    TransformerBlockConf conf = layerConf();
    if (training && conf.isLoraMerged()) {
      throw new IllegalStateException(layerId() + " has its LoRA merged into the base weights: unmerge before training");
    }
    Map<DenseRole, Lora> lora = new EnumMap<>(DenseRole.class);
    long batch = in.size(0);
    long seq = in.size(1);
    int heads = conf.getHeads();
    int dim = conf.getHidden() / heads;
    INDArray x = in.dup('c').reshape('c', batch * seq, conf.getHidden());
    INDArray qh = TensorMath.splitHeads(dense(x, DenseRole.QUERY, training, lora), batch, seq, heads, dim);
    INDArray kh = TensorMath.splitHeads(dense(x, DenseRole.KEY, training, lora), batch, seq, heads, dim);
    INDArray vh = TensorMath.splitHeads(dense(x, DenseRole.VALUE, training, lora), batch, seq, heads, dim);
    INDArray scores = Nd4j.matmul(qh, kh, null, false, true, false).muli(1.0 / Math.sqrt(dim));
    INDArray maskBias = TensorMath.keyMaskBias(mask, batch, seq, scores.dataType());
    if (maskBias != null) {
      scores.addi(maskBias);
    }
    INDArray probs = TensorMath.softmaxLastAxis(scores);
    INDArray context = TensorMath.mergeHeads(Nd4j.matmul(probs, vh));
    INDArray attended = dense(context, DenseRole.ATTENTION_OUTPUT, training, lora).addi(x);
    TensorMath.Norm norm1 = TensorMath.layerNorm(attended, getParam(ATTENTION_LN_GAMMA), getParam(ATTENTION_LN_BETA),
        conf.getLayerNormEps());
    INDArray inter = dense(norm1.y(), DenseRole.INTERMEDIATE, training, lora);
    INDArray act = TensorMath.gelu(inter, conf.getActivation());
    INDArray ffn = dense(act, DenseRole.OUTPUT, training, lora).addi(norm1.y());
    TensorMath.Norm norm2 = TensorMath.layerNorm(ffn, getParam(OUTPUT_LN_GAMMA), getParam(OUTPUT_LN_BETA),
        conf.getLayerNormEps());
    return new Cache(batch, seq, x, qh, kh, vh, probs, context, norm1, inter, act, norm2, lora);
  }

  /** The forward state backprop needs, copied out of the forward workspace into reused buffers. */
  private Cache keep(Cache c) {
    return new Cache(c.batch(), c.seq(), kept.keep("x", c.x()), kept.keep("qh", c.qh()), kept.keep("kh", c.kh()),
        kept.keep("vh", c.vh()), kept.keep("probs", c.probs()), kept.keep("context", c.context()),
        kept.keep("norm1", c.norm1(), true), kept.keep("inter", c.inter()), kept.keep("act", c.act()),
        kept.keep("norm2", c.norm2(), false), keepLora(c.lora()));
  }

  private Map<DenseRole, Lora> keepLora(Map<DenseRole, Lora> lora) {
    Map<DenseRole, Lora> out = new EnumMap<>(DenseRole.class);
    for (Map.Entry<DenseRole, Lora> e : lora.entrySet()) {
      String name = "lora." + e.getKey().paramPrefix();
      Lora l = e.getValue();
      out.put(e.getKey(), new Lora(kept.keep(name + ".hidden", l.hidden()),
          l.input() == null ? null : kept.keep(name + ".input", l.input()),
          l.mask() == null ? null : kept.keep(name + ".mask", l.mask())));
    }
    return out;
  }

  /** x W + b, plus scale (drop(x) A) B where the role has an (unmerged) LoRA; records the LoRA state. */
  private INDArray dense(INDArray x, DenseRole role, boolean training, Map<DenseRole, Lora> lora) {
    INDArray y = TensorMath.linear(x, getParam(weight(role)), getParam(bias(role)));
    TransformerBlockConf conf = layerConf();
    if (conf.hasLora(role) && !conf.isLoraMerged()) {
      INDArray input = null;
      INDArray keepMask = null;
      double p = conf.getLoraDropout();
      if (training && p > 0) {
        keepMask = Nd4j.createUninitialized(x.dataType(), x.shape());
        Nd4j.getExecutioner().exec(new BernoulliDistribution(keepMask, 1.0 - p));
        keepMask.muli(1.0 / (1.0 - p));
        input = x.mul(keepMask);
      }
      INDArray hidden = (input == null ? x : input).mmul(getParam(loraA(role)));
      y.addi(hidden.mmul(getParam(loraB(role))).muli(conf.getLoraScale()));
      lora.put(role, new Lora(hidden, input, keepMask));
    }
    return y;
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
      INDArray zeros = Nd4j.zeros(input.dataType(), c.batch(), c.seq(), conf.getHidden());
      return new Pair<>(parameterGradients(), workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, zeros));
    }
    INDArray dx;
    try (MemoryWorkspace ignored = workspaces.backward()) {
      INDArray dOut = epsilon.dup('c').reshape('c', c.batch() * c.seq(), conf.getHidden());
      INDArray dFfn = TensorMath.layerNormBackward(c.norm2(), getParam(OUTPUT_LN_GAMMA), dOut,
          grad(OUTPUT_LN_GAMMA), grad(OUTPUT_LN_BETA));
      Map<DenseRole, Lora> lora = c.lora();
      INDArray dAct = denseBackward(c.act(), dFfn, DenseRole.OUTPUT, lora);
      INDArray dInter = TensorMath.geluBackward(c.inter(), dAct, conf.getActivation());
      INDArray dNorm1 = denseBackward(c.norm1().y(), dInter, DenseRole.INTERMEDIATE, lora).addi(dFfn);
      INDArray dAttended = TensorMath.layerNormBackward(c.norm1(), getParam(ATTENTION_LN_GAMMA), dNorm1,
          grad(ATTENTION_LN_GAMMA), grad(ATTENTION_LN_BETA));
      INDArray dContext = denseBackward(c.context(), dAttended, DenseRole.ATTENTION_OUTPUT, lora);

      int heads = conf.getHeads();
      int dim = conf.getHidden() / heads;
      INDArray dContextHeads = TensorMath.splitHeads(dContext, c.batch(), c.seq(), heads, dim);
      INDArray dProbs = Nd4j.matmul(dContextHeads, c.vh(), null, false, true, false);
      INDArray dV = Nd4j.matmul(c.probs(), dContextHeads, null, true, false, false);
      INDArray dScores = TensorMath.softmaxBackward(c.probs(), dProbs).muli(1.0 / Math.sqrt(dim));
      INDArray dQ = Nd4j.matmul(dScores, c.kh());
      INDArray dK = Nd4j.matmul(dScores, c.qh(), null, true, false, false);

      dx = dAttended;
      dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dQ), DenseRole.QUERY, lora));
      dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dK), DenseRole.KEY, lora));
      dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dV), DenseRole.VALUE, lora));
      dx = dx.reshape('c', c.batch(), c.seq(), conf.getHidden()).detach();
    }
    cache = null;
    return new Pair<>(parameterGradients(), workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
  }

  /** Parameter gradients of one dense (skipped when frozen), its LoRA's, and the gradient w.r.t. its input. */
  private INDArray denseBackward(INDArray x, INDArray dy, DenseRole role, Map<DenseRole, Lora> lora) {
    TensorMath.linearParamGrads(x, dy, grad(weight(role)), grad(bias(role)));
    INDArray dx = TensorMath.linearInputGrad(dy, getParam(weight(role)));
    Lora l = lora.get(role);
    if (l != null) {
      double scale = layerConf().getLoraScale();
      INDArray dB = grad(loraB(role));
      if (dB != null) {
        dB.assign(l.hidden().transpose().mmul(dy).muli(scale));
      }
      INDArray dHidden = dy.mmul(getParam(loraB(role)).transpose()).muli(scale);
      INDArray dA = grad(loraA(role));
      if (dA != null) {
        dA.assign((l.input() == null ? x : l.input()).transpose().mmul(dHidden));
      }
      INDArray dxLora = dHidden.mmul(getParam(loraA(role)).transpose());
      dx.addi(l.mask() == null ? dxLora : dxLora.muli(l.mask()));
    }
    return dx;
  }

  @Override
  protected void dropCache() {
    cache = null;
  }
}
