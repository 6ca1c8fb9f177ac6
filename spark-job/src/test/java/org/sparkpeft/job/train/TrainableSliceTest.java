package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/** The flat trainable ranges read from DL4J's updater blocks are exactly each PEFT method's trainable parameters. */
class TrainableSliceTest {

  @Test
  void everyMethodsSliceCoversExactlyItsTrainableParamsAndScatterNeverTouchesFrozenOnes() {
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    List<String> tested = new ArrayList<>();
    for (String type : PeftMethods.types()) {
      PeftModel model;
      try {
        model = PeftMethods.create(encoder, PeftMethods.parse(type, Map.of(), new HeadConfig(3, 0, 0)),
            new Optimization(new Adam(1e-3), 0.01, 7));
      } catch (IllegalArgumentException needsOptions) {
        continue;
      }
      tested.add(type);
      ComputationGraph graph = model.graph();
      TrainableSlice slice = TrainableSlice.of(model);
      assertEquals(model.trainableCount(), slice.size(), type);
      assertEquals(graph.numParams(), slice.numParams(), type);
      assertEquals(graph.getUpdater(true).getStateViewArray().length(), slice.updaterSize(), type);
      String frozen = slice.frozenChecksum(graph.params());

      float[] values = new float[slice.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = 1000 + i;
      }
      slice.scatter(values, graph.params());
      assertArrayEquals(values, slice.gather(graph.params()), type);
      assertEquals(frozen, slice.frozenChecksum(graph.params()), type + ": scatter wrote a frozen parameter");
      double expectedSum = 0;
      for (float v : values) {
        expectedSum += v;
      }
      double sum = 0;
      for (INDArray view : model.trainableParamTable().values()) {
        assertTrue(view.minNumber().doubleValue() >= 1000, type + ": a trainable parameter was not written");
        sum += view.castTo(DataType.DOUBLE).sumNumber().doubleValue();
      }
      assertEquals(expectedSum, sum, expectedSum * 1e-6, type);
    }
    assertTrue(tested.containsAll(List.of("head", "lora")), "tested " + tested);
  }
}
