package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.auto.AutoConfig;
import org.sparkpeft.models.peft.auto.AutoPlan;
import org.sparkpeft.models.peft.auto.AutoSelection;
import org.sparkpeft.models.peft.auto.TaskBatches;
import org.sparkpeft.models.peft.lora.LoraMerge;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.FitOptions;
import org.sparkpeft.models.train.TokenBatch;

/**
 * An {@code auto} adapter (LoRA of several ranks, full biases, LayerNorms) on the tiny base: trained, saved,
 * loaded onto a fresh base with bit-equal logits and the same plan; its tensors carry PEFT names; it merges.
 */
@ExtendWith(OneNativeThread.class)
class AutoAdapterRoundTripTest {

  @Test
  void anAutoAdapterRoundTripsWithBitEqualLogitsAndItsPlan() {
    BaseModel base = TinyAdapters.base();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    List<TokenBatch> sample = TaskBatches.of(5, 4, 8);
    AutoConfig unplanned = AutoConfig.parse(Map.of("budget", "20%", "head_steps", "10"), HeadConfig.linear(2));
    AutoPlan plan = AutoSelection.select(encoder, unplanned, sample, Optimization.adamW(1e-2, 0));
    AutoConfig config = unplanned.withPlan(plan);
    assertTrue(plan.trained().stream().anyMatch(e -> e.choice() == AutoPlan.Choice.LORA), plan.table());
    assertTrue(plan.trained().stream().anyMatch(e -> e.choice() == AutoPlan.Choice.FULL), plan.table());

    PeftModel model = PeftMethods.create(encoder, config, Optimization.adamW(1e-2, 0.01));
    TokenBatch probe = TaskBatches.of(6, 1, 5).get(0);
    INDArray untrained = FineTuning.predict(model, probe);
    FineTuning.fit(model, sample, new FitOptions(2, 0, -1), FineTuning.StepListener.NONE);
    AdapterFiles.Files files = AdapterFiles.save(model, new AdapterInfo("auto", config.options(), 0, 0,
        List.of("no", "yes"), base.id(), base.fingerprint(), base.id(), "t", Map.of()));

    AdapterFiles.Loaded loaded = AdapterFiles.load(TinyAdapters.base(), files, "adapter");
    assertEquals(plan, ((AutoConfig) loaded.model().config()).plan(), "the adapter carries its plan");
    assertEquals(model.trainableParams(), loaded.model().trainableParams());
    INDArray expected = FineTuning.predict(model, probe);
    INDArray actual = FineTuning.predict(loaded.model(), probe);
    for (int row = 0; row < probe.size(); row++) {
      assertArrayEquals(expected.toFloatMatrix()[row], actual.toFloatMatrix()[row], 0f, "row " + row);
    }
    assertTrue(untrained.sub(actual).amaxNumber().doubleValue() > 1e-5, "the trained tensors were applied");

    Map<String, Safetensors.Tensor> stored = Safetensors.read(files.weights(), "w").tensors();
    assertEquals(model.trainableParams().size(), stored.size());
    assertTrue(stored.keySet().stream().anyMatch(n -> n.endsWith(".lora_A.weight")), stored.keySet().toString());
    assertTrue(stored.keySet().stream().anyMatch(n -> n.endsWith("LayerNorm.weight")), stored.keySet().toString());
    assertTrue(stored.keySet().stream().allMatch(n -> n.startsWith("base_model.model.")), stored.keySet().toString());
    long planned = plan.planned();
    long stored2 = stored.entrySet().stream().filter(e -> !e.getKey().contains("classifier"))
        .mapToLong(e -> java.util.Arrays.stream(e.getValue().shape()).reduce(1, (a, b) -> a * b)).sum();
    assertEquals(planned, stored2, "the file holds exactly the planned encoder parameters");
    String json = new String(files.config(), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"peft_type\" : \"SPARKPEFT_AUTO\""), json);
    assertTrue(json.contains("\"trained_groups\""), json);

    int merged = LoraMerge.merge(loaded.model().graph());
    assertEquals(plan.trained().stream().filter(e -> e.choice() == AutoPlan.Choice.LORA).count(), merged);
    INDArray afterMerge = FineTuning.predict(loaded.model(), probe);
    assertTrue(expected.sub(afterMerge).amaxNumber().doubleValue() < 1e-5, "merged logits equal the unmerged");
  }
}
