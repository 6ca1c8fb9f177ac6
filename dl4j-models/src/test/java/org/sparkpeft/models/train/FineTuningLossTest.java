package org.sparkpeft.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.lora.LoraConfig;

/**
 * The loss each step reports is the minibatch's data loss (mean cross-entropy of the pre-update model), with a
 * weight decay large enough that adding its 0.5·λ·Σw² term would show; and the decay still acts on the update
 * exactly as DL4J's decoupled weight decay: after one step, w(λ) − w(0) = −lr·λ·w₀ for every decayed weight.
 */
class FineTuningLossTest {

  private static final double LR = 1e-2;
  private static final double DECAY = 0.5;

  private static PeftModel model(double decay) {
    return PeftMethods.create(TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT),
        LoraConfig.of(4, 8, EnumSet.of(DenseRole.QUERY, DenseRole.VALUE), HeadConfig.linear(2)),
        new Optimization(new Adam(LR), decay, 7));
  }

  private static TokenBatch batch() {
    return new TokenBatch(new int[][] {{1, 5, 9, 12, 30, 2}, {1, 7, 8, 2}, {1, 33, 21, 17, 2}, {1, 3, 2}},
        new int[] {0, 1, 1, 0});
  }

  /** Mean −log p(label) of the model as it is now (inference: no dropout anywhere in this model). */
  private static double crossEntropy(PeftModel model, TokenBatch batch) {
    INDArray p = FineTuning.predict(model, batch);
    double sum = 0;
    for (int i = 0; i < batch.size(); i++) {
      sum -= Math.log(p.getDouble(i, batch.labels()[i]));
    }
    return sum / batch.size();
  }

  @Test
  void eachStepReportsTheDataLossWithoutTheDecayTerm() {
    PeftModel model = model(DECAY);
    TokenBatch batch = batch();
    double squares = model.trainableParams().stream()
        .mapToDouble(k -> model.graph().getParam(k).norm2Number().doubleValue())
        .map(n -> n * n).sum();
    assertTrue(0.5 * DECAY * squares > 0.05, "the decay term would be visible: " + 0.5 * DECAY * squares);
    for (int step = 0; step < 3; step++) {
      double expected = crossEntropy(model, batch);
      List<Double> losses = FineTuning.fit(model, List.of(batch), FitOptions.epochs(1),
          FineTuning.StepListener.NONE).losses();
      assertEquals(expected, losses.get(0), 1e-5, "step " + step);
    }
  }

  @Test
  void theDecayStillActsOnTheUpdate() {
    PeftModel decayed = model(DECAY);
    PeftModel plain = model(0);
    String loraA = decayed.trainableParams().stream().filter(k -> k.endsWith(".loraA")).findFirst().orElseThrow();
    INDArray before = decayed.graph().getParam(loraA).dup();
    assertEquals(0.0, before.sub(plain.graph().getParam(loraA)).amaxNumber().doubleValue(), 0.0, "same start");
    FineTuning.fit(decayed, List.of(batch()), FitOptions.epochs(1), FineTuning.StepListener.NONE);
    FineTuning.fit(plain, List.of(batch()), FitOptions.epochs(1), FineTuning.StepListener.NONE);
    INDArray difference = decayed.graph().getParam(loraA).sub(plain.graph().getParam(loraA));
    INDArray expected = before.mul(-LR * DECAY);
    assertTrue(expected.amaxNumber().doubleValue() > 1e-4, "a visible decay step");
    assertEquals(0.0, difference.sub(expected).amaxNumber().doubleValue(), 1e-6);
  }
}
