package org.sparkpeft.models.peft.adapter;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.layers.TensorMath;

/** The non-linearity inside a bottleneck adapter, with its exact derivative. */
public enum AdapterActivation {
  RELU, GELU, TANH;

  /** act(z), a new array. */
  INDArray apply(INDArray z) {
    return switch (this) {
      case RELU -> Transforms.relu(z, true);
      case GELU -> TensorMath.geluValue(z, BertConfig.Activation.GELU_ERF);
      case TANH -> Transforms.tanh(z, true);
    };
  }

  /** dL/dz given dL/da for a = act(z) ({@code a} is the forward output). */
  INDArray backward(INDArray z, INDArray a, INDArray da) {
    return switch (this) {
      case RELU -> z.gt(0.0).castTo(da.dataType()).muli(da);
      // the adapter keeps no derivative (its [rows, size] activations are small): recomputed here
      case GELU -> TensorMath.geluBackward(TensorMath.gelu(z, BertConfig.Activation.GELU_ERF).derivative(), da);
      case TANH -> a.mul(a).rsubi(1.0).muli(da);
    };
  }

  /** From a config name: relu, gelu or tanh. */
  public static AdapterActivation fromConfigName(String name) {
    for (AdapterActivation a : values()) {
      if (a.name().equalsIgnoreCase(name.trim())) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown adapter activation '" + name + "'; use relu, gelu or tanh");
  }

  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
