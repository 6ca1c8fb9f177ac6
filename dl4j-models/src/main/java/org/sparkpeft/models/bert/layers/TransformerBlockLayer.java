package org.sparkpeft.models.bert.layers;

import static org.sparkpeft.models.bert.layers.TransformerBlockConf.ATTENTION_LN_BETA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.ATTENTION_LN_GAMMA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.OUTPUT_LN_BETA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.OUTPUT_LN_GAMMA;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.bias;
import static org.sparkpeft.models.bert.layers.TransformerBlockConf.weight;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
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
public class TransformerBlockLayer extends BaseLayer<TransformerBlockConf> {

  private final transient LayerWorkspaces workspaces = new LayerWorkspaces();
  private final transient KeptArrays kept = new KeptArrays();

  /** Forward intermediates for backprop. */
  private record Cache(long batch, long seq, INDArray x, INDArray qh, INDArray kh, INDArray vh, INDArray probs,
                       INDArray context, TensorMath.Norm norm1, INDArray inter, INDArray act,
                       TensorMath.Norm norm2) {}

  private Cache cache;

  public TransformerBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    INDArray out;
    try (MemoryWorkspace ignored = workspaces.forward()) {
      Cache c = forward(input, maskArray);
      cache = training ? keep(c) : null;
      out = c.norm2().y().reshape('c', c.batch(), c.seq(), layerConf().getHidden()).detach();
    }
    return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
  }

  private Cache forward(INDArray in, INDArray mask) {
    TransformerBlockConf conf = layerConf();
    long batch = in.size(0);
    long seq = in.size(1);
    int heads = conf.getHeads();
    int dim = conf.getHidden() / heads;
    INDArray x = in.dup('c').reshape('c', batch * seq, conf.getHidden());
    INDArray qh = TensorMath.splitHeads(dense(x, DenseRole.QUERY), batch, seq, heads, dim);
    INDArray kh = TensorMath.splitHeads(dense(x, DenseRole.KEY), batch, seq, heads, dim);
    INDArray vh = TensorMath.splitHeads(dense(x, DenseRole.VALUE), batch, seq, heads, dim);
    INDArray scores = Nd4j.matmul(qh, kh, null, false, true, false).muli(1.0 / Math.sqrt(dim));
    INDArray maskBias = TensorMath.keyMaskBias(mask, batch, seq, scores.dataType());
    if (maskBias != null) {
      scores.addi(maskBias);
    }
    INDArray probs = TensorMath.softmaxLastAxis(scores);
    INDArray context = TensorMath.mergeHeads(Nd4j.matmul(probs, vh));
    INDArray attended = dense(context, DenseRole.ATTENTION_OUTPUT).addi(x);
    TensorMath.Norm norm1 = TensorMath.layerNorm(attended, getParam(ATTENTION_LN_GAMMA), getParam(ATTENTION_LN_BETA),
        conf.getLayerNormEps());
    INDArray inter = dense(norm1.y(), DenseRole.INTERMEDIATE);
    INDArray act = TensorMath.gelu(inter, conf.getActivation());
    INDArray ffn = dense(act, DenseRole.OUTPUT).addi(norm1.y());
    TensorMath.Norm norm2 = TensorMath.layerNorm(ffn, getParam(OUTPUT_LN_GAMMA), getParam(OUTPUT_LN_BETA),
        conf.getLayerNormEps());
    return new Cache(batch, seq, x, qh, kh, vh, probs, context, norm1, inter, act, norm2);
  }

  /** The forward state backprop needs, copied out of the forward workspace into reused buffers. */
  private Cache keep(Cache c) {
    return new Cache(c.batch(), c.seq(), kept.keep("x", c.x()), kept.keep("qh", c.qh()), kept.keep("kh", c.kh()),
        kept.keep("vh", c.vh()), kept.keep("probs", c.probs()), kept.keep("context", c.context()),
        kept.keep("norm1", c.norm1(), true), kept.keep("inter", c.inter()), kept.keep("act", c.act()),
        kept.keep("norm2", c.norm2(), false));
  }

  private INDArray dense(INDArray x, DenseRole role) {
    return TensorMath.linear(x, getParam(weight(role)), getParam(bias(role)));
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (cache == null) {
      throw new IllegalStateException("backprop in " + layerId() + " without a training forward pass");
    }
    Cache c = cache;
    TransformerBlockConf conf = layerConf();
    INDArray dx;
    try (MemoryWorkspace ignored = workspaces.backward()) {
      INDArray dOut = epsilon.dup('c').reshape('c', c.batch() * c.seq(), conf.getHidden());
      INDArray dFfn = TensorMath.layerNormBackward(c.norm2(), getParam(OUTPUT_LN_GAMMA), dOut,
          grad(OUTPUT_LN_GAMMA), grad(OUTPUT_LN_BETA));
      INDArray dAct = denseBackward(c.act(), dFfn, DenseRole.OUTPUT);
      INDArray dInter = TensorMath.geluBackward(c.inter(), dAct, conf.getActivation());
      INDArray dNorm1 = denseBackward(c.norm1().y(), dInter, DenseRole.INTERMEDIATE).addi(dFfn);
      INDArray dAttended = TensorMath.layerNormBackward(c.norm1(), getParam(ATTENTION_LN_GAMMA), dNorm1,
          grad(ATTENTION_LN_GAMMA), grad(ATTENTION_LN_BETA));
      INDArray dContext = denseBackward(c.context(), dAttended, DenseRole.ATTENTION_OUTPUT);

      int heads = conf.getHeads();
      int dim = conf.getHidden() / heads;
      INDArray dContextHeads = TensorMath.splitHeads(dContext, c.batch(), c.seq(), heads, dim);
      INDArray dProbs = Nd4j.matmul(dContextHeads, c.vh(), null, false, true, false);
      INDArray dV = Nd4j.matmul(c.probs(), dContextHeads, null, true, false, false);
      INDArray dScores = TensorMath.softmaxBackward(c.probs(), dProbs).muli(1.0 / Math.sqrt(dim));
      INDArray dQ = Nd4j.matmul(dScores, c.kh());
      INDArray dK = Nd4j.matmul(dScores, c.qh(), null, true, false, false);

      dx = dAttended;
      dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dQ), DenseRole.QUERY));
      dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dK), DenseRole.KEY));
      dx.addi(denseBackward(c.x(), TensorMath.mergeHeads(dV), DenseRole.VALUE));
      dx = dx.reshape('c', c.batch(), c.seq(), conf.getHidden()).detach();
    }
    Gradient gradient = new DefaultGradient(gradientsFlattened);
    for (String name : conf.layout().names()) {
      gradient.setGradientFor(name, gradientViews.get(name));
    }
    cache = null;
    return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
  }

  /** Parameter gradients of one dense (skipped when frozen) and the gradient w.r.t. its input. */
  private INDArray denseBackward(INDArray x, INDArray dy, DenseRole role) {
    TensorMath.linearParamGrads(x, dy, grad(weight(role)), grad(bias(role)));
    return TensorMath.linearInputGrad(dy, getParam(weight(role)));
  }

  /** The gradient view of a trainable parameter, or null when it is frozen (its view stays zero). */
  private INDArray grad(String param) {
    return layerConf().isFrozen(param) ? null : gradientViews.get(param);
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                        int minibatchSize) {
    this.maskArray = maskArray;
    this.maskState = currentMaskState;
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public Type type() {
    return Type.RECURRENT;
  }

  @Override
  public void clear() {
    super.clear();
    cache = null;
  }
}
