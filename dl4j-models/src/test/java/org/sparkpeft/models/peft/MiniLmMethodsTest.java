package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.RealSentences;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.FitOptions;
import org.sparkpeft.models.train.TokenBatch;

/**
 * Every method on the real all-MiniLM-L6-v2: a new adapted model computes exactly the base's sentence vectors (IA3
 * vectors are ones, adapters' up-projections zero, LoRA's B zero), its parameter report is what the method
 * creates, and for head and LoRA exact freezing under AdamW with weight decay holds on the real model too.
 */
@ExtendWith(OneNativeThread.class)
class MiniLmMethodsTest {

  private static ComputationGraph baseGraph;
  private static TokenBatch batch;
  private static INDArray basePooled;

  @BeforeAll
  static void load() {
    BaseModel base = BaseModel.defaultModel();
    baseGraph = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    batch = RealSentences.batch(base, 0, 6, 48, 2);
    basePooled = pooled(baseGraph);
  }

  private static PeftModel create(String type, Map<String, String> options) {
    return PeftMethods.create(baseGraph, PeftMethods.parse(type, options, HeadConfig.linear(2)),
        Optimization.adamW(1e-3, 0.01));
  }

  private static INDArray pooled(ComputationGraph graph) {
    var padded = batch.padded();
    graph.setLayerMaskArrays(new INDArray[] {padded.mask()}, null);
    INDArray out = graph.feedForward(new INDArray[] {padded.ids()}, false).get(PoolingConf.NAME).dup();
    graph.clearLayerMaskArrays();
    return out;
  }

  static Stream<Arguments> methods() {
    return Stream.of(
        Arguments.of("last_n", Map.of("n", "2"), Map.of(
            "weight", 2L * (4 * 384 * 384 + 2 * 384 * 1536 + 2 * 384), // matrices + LayerNorm gammas
            "bias", 2L * (5 * 384 + 1536 + 2 * 384), "head", 770L)),
        Arguments.of("bitfit", Map.of(), Map.of("bias", 384L + 6 * (5 * 384 + 1536 + 2 * 384), "head", 770L)),
        Arguments.of("lora", Map.of(), Map.of("lora", 6L * 2 * 2 * 8 * 384, "head", 770L)),
        Arguments.of("ia3", Map.of(), Map.of("ia3", 6L * (384 + 384 + 1536), "head", 770L)),
        Arguments.of("adapter", Map.of(), Map.of("adapter", 6L * 2 * (2 * 384 * 64 + 64 + 384), "head", 770L)));
  }

  @ParameterizedTest
  @MethodSource("methods")
  void aNewAdaptedModelComputesExactlyTheBaseAndReportsWhatItTrains(String type, Map<String, String> options,
                                                                    Map<String, Long> groups) {
    PeftModel model = create(type, options);
    System.out.println(model.summary());
    assertEquals(groups, model.trainableByGroup(), type);
    assertEquals(groups.values().stream().mapToLong(Long::longValue).sum(), model.trainableCount());
    assertEquals(0.0, pooled(model.graph()).sub(basePooled).amaxNumber().doubleValue(),
        type + ": the new model's sentence vectors equal the base's exactly");
  }

  @ParameterizedTest
  @ValueSource(strings = {"head", "lora"})
  void frozenParametersStayBitIdenticalOnTheRealModel(String type) {
    PeftModel model = create(type, Map.of());
    Map<String, float[]> before = snapshot(model);
    FineTuning.fit(model, List.of(batch), new FitOptions(3, 0, -1), FineTuning.StepListener.NONE);
    Map<String, float[]> after = snapshot(model);
    int frozen = 0;
    for (String key : before.keySet()) {
      boolean same = Arrays.equals(before.get(key), after.get(key));
      if (model.trainableParams().contains(key)) {
        assertFalse(same, key + " is trainable but did not change");
      } else {
        frozen++;
        assertTrue(same, key + " is frozen but changed");
      }
    }
    assertEquals(5 + 6 * 16, frozen, "every embedding and block array of the base");
    assertEquals(2 * model.trainableCount(), model.graph().getUpdater().getStateViewArray().length(),
        "Adam state (m, v) for trainable parameters only");
  }

  private static Map<String, float[]> snapshot(PeftModel model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    model.graph().paramTable().forEach((k, v) -> out.put(k, v.dup().ravel().toFloatVector()));
    return out;
  }
}
