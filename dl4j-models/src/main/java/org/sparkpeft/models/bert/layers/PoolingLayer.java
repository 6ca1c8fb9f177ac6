package org.sparkpeft.models.bert.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The computation of {@link PoolingConf}; it has no parameters. */
public class PoolingLayer extends AbstractLayer<PoolingConf> {

  private final transient LayerWorkspaces workspaces = new LayerWorkspaces();
  /** The buffer the input gradient is handed over in, reused every backward pass. */
  private final transient KeptArrays handed = new KeptArrays();

  public PoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Mask as [batch, seq, 1] in the activations' type, all ones when there is none. */
  private INDArray mask3d(long batch, long seq, DataType type) {
    if (maskArray == null) {
      return Nd4j.ones(type, batch, seq, 1);
    }
    return maskArray.castTo(type).reshape('c', batch, seq, 1);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    INDArray out;
    try (MemoryWorkspace ignored = workspaces.forward()) {
      long batch = input.size(0);
      long seq = input.size(1);
      if (layerConf().getMode() == PoolingConf.Mode.CLS) {
        out = input.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c');
      } else {
        INDArray mask = mask3d(batch, seq, input.dataType());
        INDArray counts = mask.sum(1);
        out = input.mul(mask).sum(1).diviColumnVector(counts);
      }
      out = LayerWorkspaces.handOver(workspaceMgr, ArrayType.ACTIVATIONS, out);
    }
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    INDArray dx;
    try (MemoryWorkspace ignored = workspaces.backward()) {
      long batch = input.size(0);
      long seq = input.size(1);
      long hidden = input.size(2);
      dx = Nd4j.zeros(input.dataType(), batch, seq, hidden);
      if (layerConf().getMode() == PoolingConf.Mode.CLS) {
        dx.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).assign(epsilon);
      } else {
        INDArray mask = mask3d(batch, seq, input.dataType());
        INDArray scaled = epsilon.divColumnVector(mask.sum(1)).reshape('c', batch, 1, hidden);
        dx.addi(scaled).muli(mask);
      }
      dx = LayerWorkspaces.handOverGradient(workspaceMgr, dx, handed);
    }
    return new Pair<>(new DefaultGradient(), dx);
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                        int minibatchSize) {
    this.maskArray = maskArray;
    this.maskState = currentMaskState;
    return new Pair<>(null, null);
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }

  @Override
  public void clearNoiseWeightParams() {
    // no parameters
  }

  @Override
  public org.deeplearning4j.nn.api.Layer clone() {
    throw new UnsupportedOperationException("not cloneable");
  }
}
