package org.sparkpeft.models.peft;

import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** Builds the classification head of a {@link HeadConfig} (plain DL4J layers, all trainable). */
final class Heads {

  private Heads() {}

  /** Adds the head's layers on top of {@code input} ({@code inputSize} features); returns their names. */
  static List<String> add(ComputationGraphConfiguration.GraphBuilder builder, HeadConfig head, String input,
                          int inputSize, List<Double> classWeights) {
    String previous = input;
    int size = inputSize;
    if (head.hidden() > 0) {
      DenseLayer.Builder dense = new DenseLayer.Builder().nIn(size).nOut(head.hidden())
          .activation(Activation.TANH).weightInit(WeightInit.XAVIER);
      if (head.dropout() > 0) {
        dense.dropOut(new Dropout(1.0 - head.dropout()));
      }
      builder.addLayer(HeadConfig.HIDDEN, dense.build(), previous);
      previous = HeadConfig.HIDDEN;
      size = head.hidden();
    }
    if (!classWeights.isEmpty() && classWeights.size() != head.labels()) {
      throw new IllegalArgumentException("class weights must have one value per label (" + head.labels() + "), got "
          + classWeights.size());
    }
    // DL4J's multi-class cross-entropy with weights: score row i = -sum_c w[c] y[i,c] log p[i,c], averaged over rows
    OutputLayer.Builder output = new OutputLayer.Builder(classWeights.isEmpty() ? new LossMCXENT()
        : new LossMCXENT(Nd4j.createFromArray(classWeights.stream().mapToDouble(Double::doubleValue).toArray())
            .castTo(DataType.FLOAT).reshape(1, classWeights.size()))).nIn(size)
        .nOut(head.labels()).activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER);
    if (head.dropout() > 0) {
      output.dropOut(new Dropout(1.0 - head.dropout()));
    }
    builder.addLayer(HeadConfig.OUTPUT, output.build(), previous);
    return head.hidden() > 0 ? List.of(HeadConfig.HIDDEN, HeadConfig.OUTPUT) : List.of(HeadConfig.OUTPUT);
  }
}
