package org.sparkpeft.models.bert.layers;

import static org.sparkpeft.models.bert.layers.EmbeddingConf.LN_BETA;
import static org.sparkpeft.models.bert.layers.EmbeddingConf.LN_GAMMA;
import static org.sparkpeft.models.bert.layers.EmbeddingConf.POSITION;
import static org.sparkpeft.models.bert.layers.EmbeddingConf.TOKEN_TYPE;
import static org.sparkpeft.models.bert.layers.EmbeddingConf.WORD;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The computation of {@link EmbeddingConf}. Token ids have no gradient: backprop returns a null epsilon. */
public class EmbeddingLayer extends SparkpeftLayer<EmbeddingConf> {

  private record Cache(int[] ids, long batch, long seq, TensorMath.Norm norm) {}

  private Cache cache;

  public EmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    EmbeddingConf conf = layerConf();
    INDArray out;
    try (MemoryWorkspace ignored = workspaces.forward()) {
      long batch = input.size(0);
      long seq = input.size(input.rank() - 1);
      if (seq > conf.getMaxPositions()) {
        throw new IllegalArgumentException("sequence length " + seq + " exceeds the model's " + conf.getMaxPositions()
            + " positions; tokenize with a smaller max length");
      }
      int[] ids = input.reshape(batch * seq).toIntVector();
      for (int id : ids) {
        if (id < 0 || id >= conf.getVocab()) {
          throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + conf.getVocab());
        }
      }
      int[] positions = new int[ids.length];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = (int) (i % seq);
      }
      INDArray x = Nd4j.pullRows(getParam(WORD), 1, ids);
      x.addi(Nd4j.pullRows(getParam(POSITION), 1, positions));
      if (conf.getTypeVocab() > 0) {
        x.addiRowVector(getParam(TOKEN_TYPE).getRow(0));
      }
      TensorMath.Norm norm = TensorMath.layerNorm(x, getParam(LN_GAMMA), getParam(LN_BETA), conf.getLayerNormEps());
      cache = training ? new Cache(ids, batch, seq, kept.keep("norm", norm, false)) : null;
      out = LayerWorkspaces.handOverActivation(workspaceMgr, norm.y().reshape('c', batch, seq, conf.getHidden()),
          training, kept);
    }
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (cache == null) {
      throw new IllegalStateException("backprop in " + layerId() + " without a training forward pass");
    }
    EmbeddingConf conf = layerConf();
    if (conf.allFrozen()) {
      cache = null; // nothing here trains, and the ids below take no gradient: LayerNorm's backward would be wasted
      return new Pair<>(parameterGradients(), null);
    }
    try (MemoryWorkspace ignored = workspaces.backward()) {
      INDArray dy = epsilon.dup('c').reshape('c', cache.batch() * cache.seq(), conf.getHidden());
      INDArray dx = TensorMath.layerNormBackward(cache.norm(), getParam(LN_GAMMA), dy, grad(LN_GAMMA), grad(LN_BETA));
      INDArray dWord = grad(WORD);
      if (dWord != null) {
        dWord.assign(0.0);
        for (int i = 0; i < cache.ids().length; i++) {
          dWord.getRow(cache.ids()[i]).addi(dx.getRow(i));
        }
      }
      INDArray dPosition = grad(POSITION);
      if (dPosition != null) {
        dPosition.assign(0.0);
        dPosition.get(NDArrayIndex.interval(0, cache.seq()), NDArrayIndex.all())
            .assign(dx.reshape('c', cache.batch(), cache.seq(), conf.getHidden()).sum(0));
      }
      INDArray dType = conf.getTypeVocab() > 0 ? grad(TOKEN_TYPE) : null;
      if (dType != null) {
        dType.assign(0.0);
        dType.getRow(0).assign(dx.sum(0));
      }
    }
    Gradient gradient = parameterGradients();
    cache = null;
    return new Pair<>(gradient, null);
  }

  @Override
  protected void dropCache() {
    cache = null;
  }
}
