package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.RealSentences;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.FitOptions;
import org.sparkpeft.models.train.TokenBatch;

/**
 * Every method on the real all-MiniLM-L6-v2: build, train a few AdamW steps on real sentences, save, load onto a
 * freshly imported base (its own fingerprint check) and get bit-equal logits; the file holds exactly the trainable
 * tensors under the method's PEFT-style names and shapes. Prints each method's adapter size.
 */
@ExtendWith(OneNativeThread.class)
class AdapterRoundTripTest {

  private static BaseModel base;
  private static BaseModel fresh;
  private static TokenBatch train;
  private static TokenBatch probe;
  private static final Map<String, String> SIZES = new LinkedHashMap<>();

  @BeforeAll
  static void load() {
    base = BaseModel.defaultModel();
    fresh = BaseModel.defaultModel();
    train = RealSentences.batch(base, 0, 4, 24, 2);
    probe = RealSentences.batch(base, 4, 3, 64, 2);
  }

  /** Method, options, tensors in the file, and one tensor with its PEFT shape. */
  static Stream<Arguments> methods() {
    String layer = "base_model.model.encoder.layer.";
    return Stream.of(
        Arguments.of("head", Map.of(), 2, "base_model.model.classifier.weight", new long[] {2, 384}),
        Arguments.of("last_n", Map.of("n", "1"), 16 + 2, layer + "5.intermediate.dense.weight", new long[] {1536, 384}),
        Arguments.of("bitfit", Map.of(), 6 * 8 + 1 + 2, layer + "3.attention.output.LayerNorm.bias", new long[] {384}),
        Arguments.of("lora", Map.of("r", "8", "lora_alpha", "16", "target_modules", "query,value"), 6 * 2 * 2 + 2,
            layer + "0.attention.self.value.lora_B.weight", new long[] {384, 8}),
        Arguments.of("ia3", Map.of(), 6 * 3 + 2, layer + "2.attention.self.key.ia3_l", new long[] {384, 1}),
        Arguments.of("adapter", Map.of(), 6 * 2 * 4 + 2, layer + "1.attention.output.adapter.down.weight",
            new long[] {64, 384}));
  }

  @ParameterizedTest
  @MethodSource("methods")
  void trainedSavedAndLoadedOntoAFreshBaseGivesBitEqualLogits(String type, Map<String, String> options, int tensors,
                                                              String someTensor, long[] itsShape) {
    PeftModel model = PeftMethods.create(BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN),
        PeftMethods.parse(type, options, HeadConfig.linear(2)), Optimization.adamW(1e-3, 0.01));
    INDArray untrained = FineTuning.predict(model, probe);
    FineTuning.fit(model, List.of(train), new FitOptions(2, 0, -1), FineTuning.StepListener.NONE);
    AdapterInfo info = new AdapterInfo(type, options, 0, 0, List.of("ham", "spam"), base.id(), base.fingerprint(),
        base.id(), "t", Map.of("steps", "2"));
    AdapterFiles.Files files = AdapterFiles.save(model, info);

    AdapterFiles.Loaded loaded = AdapterFiles.load(fresh, files, "adapter");
    assertNotSame(model.graph(), loaded.model().graph());
    assertEquals(model.trainableParams(), loaded.model().trainableParams());
    INDArray expected = FineTuning.predict(model, probe);
    INDArray actual = FineTuning.predict(loaded.model(), probe);
    for (int row = 0; row < probe.size(); row++) {
      assertArrayEquals(expected.toFloatMatrix()[row], actual.toFloatMatrix()[row], 0f, type + " row " + row);
    }
    assertTrue(untrained.sub(actual).amaxNumber().doubleValue() > 1e-5, type + ": the trained tensors were applied");

    Map<String, Safetensors.Tensor> stored = Safetensors.read(files.weights(), "w").tensors();
    assertEquals(tensors, stored.size(), type + " stores exactly its trainable tensors: " + stored.keySet());
    assertEquals(model.trainableParams().size(), stored.size());
    assertArrayEquals(itsShape, stored.get(someTensor).shape(), type + ": " + someTensor);
    String config = new String(files.config(), StandardCharsets.UTF_8);
    assertTrue(config.contains("\"peft_type\" : \"" + PeftMethods.get(type).peftType() + "\""), config);
    assertTrue(config.contains("\"modules_to_save\" : [ \"classifier\" ]"), config);
    double percent = 100.0 * files.weights().length / (4.0 * base.config().parameterCount());
    SIZES.put(type, String.format(java.util.Locale.ROOT, "%-8s %,11d bytes (%.3f %% of the base's float32 bytes), "
        + "%d tensors, %,d trainable params", type, files.weights().length, percent, stored.size(),
        model.trainableCount()));
  }

  /**
   * auto, with a plan of 30,000 encoder parameters drawn at random over MiniLM's groups (no sample needed; LoRA of
   * several ranks and fully trained groups mixed), through the same round trip.
   */
  @org.junit.jupiter.api.Test
  void anAutoAdapterWithAMixedPlanRoundTripsToo() {
    org.deeplearning4j.nn.graph.ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(),
        PoolingConf.Mode.MEAN);
    List<org.sparkpeft.models.peft.auto.ParamGroup> groups = org.sparkpeft.models.peft.auto.ParamGroup.of(
        encoder.getConfiguration());
    org.sparkpeft.models.peft.auto.AutoPlan plan = org.sparkpeft.models.peft.auto.Planner.random(groups, 30000,
        encoder.numParams(), java.util.Set.of(), 42);
    int tensors = 2;
    String someTensor = null;
    long[] itsShape = null;
    for (int i = 0; i < groups.size(); i++) {
      org.sparkpeft.models.peft.auto.AutoPlan.Entry e = plan.entries().get(i);
      org.sparkpeft.models.peft.auto.ParamGroup g = groups.get(i);
      String name = "base_model.model." + g.id();
      switch (e.choice()) {
        case LORA -> {
          tensors += 2;
          someTensor = name.replace(".weight", ".lora_A.weight");
          itsShape = new long[] {e.rank(), g.nIn()};
        }
        case FULL -> tensors += g.kind() == org.sparkpeft.models.peft.auto.ParamGroup.Kind.NORM ? 2 : 1;
        default -> { }
      }
    }
    assertTrue(someTensor != null && plan.trained().size() > plan.trained().stream()
        .filter(e -> e.choice() == org.sparkpeft.models.peft.auto.AutoPlan.Choice.LORA).count(), plan.table());
    trainedSavedAndLoadedOntoAFreshBaseGivesBitEqualLogits("auto", Map.of("budget", "30000", "selection",
        plan.toJson()), tensors, someTensor, itsShape);
  }

  @AfterAll
  static void report() {
    System.out.println("ADAPTER sizes on all-MiniLM-L6-v2 (adapter_model.safetensors):");
    SIZES.values().forEach(s -> System.out.println("ADAPTER   " + s));
  }
}
