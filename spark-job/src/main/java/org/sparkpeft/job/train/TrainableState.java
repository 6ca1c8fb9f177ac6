package org.sparkpeft.job.train;

import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.peft.PeftModel;

/**
 * What travels each round: the trainable parameters (concatenated in the graph's parameter order) and the
 * updater state. Frozen parameters have the NoOp updater and therefore no updater state, so the graph's whole
 * updater state belongs to the trainable parameters.
 */
public final class TrainableState {

  private TrainableState() {}

  public static float[] params(PeftModel model) {
    Map<String, INDArray> table = model.trainableParamTable();
    long total = table.values().stream().mapToLong(INDArray::length).sum();
    float[] out = new float[Math.toIntExact(total)];
    int offset = 0;
    for (INDArray view : table.values()) {
      float[] values = view.dup('c').reshape(view.length()).toFloatVector();
      System.arraycopy(values, 0, out, offset, values.length);
      offset += values.length;
    }
    return out;
  }

  public static void setParams(PeftModel model, float[] flat) {
    int offset = 0;
    for (INDArray view : model.trainableParamTable().values()) {
      int n = Math.toIntExact(view.length());
      if (offset + n > flat.length) {
        throw new IllegalArgumentException("the trainable vector has " + flat.length + " values, fewer than the model's");
      }
      float[] part = new float[n];
      System.arraycopy(flat, offset, part, 0, n);
      view.assign(org.nd4j.linalg.factory.Nd4j.create(part, view.shape(), 'c').castTo(view.dataType()));
      offset += n;
    }
    if (offset != flat.length) {
      throw new IllegalArgumentException("the trainable vector has " + flat.length + " values, the model " + offset);
    }
  }

  public static float[] updaterState(ComputationGraph graph) {
    INDArray state = graph.getUpdater(true).getStateViewArray();
    return state == null ? new float[0] : state.dup('c').reshape(state.length()).toFloatVector();
  }

  public static void setUpdaterState(ComputationGraph graph, float[] state) {
    INDArray view = graph.getUpdater(true).getStateViewArray();
    if (view == null ? state.length != 0 : view.length() != state.length) {
      throw new IllegalArgumentException("updater state has " + state.length + " values, the model "
          + (view == null ? 0 : view.length()));
    }
    if (view != null) {
      view.assign(org.nd4j.linalg.factory.Nd4j.create(state, view.shape(), 'c').castTo(view.dataType()));
    }
  }
}
