package org.sparkpeft.models.peft.auto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.ScaledRate;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.InvalidOptionException;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TokenBatch;

/** {@code auto}'s LoRA scale across ranks and the learning-rate multiplier of its fully trained groups. */
@ExtendWith(OneNativeThread.class)
class AutoRatesTest {

  private static final ComputationGraph BASE = TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN,
      DataType.FLOAT);

  /** Block 0's output bias and attention LayerNorm fully, its query as LoRA r=2, the rest frozen. */
  private static AutoPlan plan() {
    List<ParamGroup> groups = ParamGroup.of(BASE.getConfiguration());
    List<AutoPlan.Entry> entries = new ArrayList<>();
    long planned = 0;
    for (ParamGroup g : groups) {
      AutoPlan.Entry e;
      if (g.id().equals("encoder.layer.0.output.dense.bias")
          || g.id().equals("encoder.layer.0.attention.output.LayerNorm")) {
        e = new AutoPlan.Entry(g.id(), g.kind().label(), 1, 1, AutoPlan.Choice.FULL, 0, g.count());
      } else if (g.id().equals("encoder.layer.0.attention.self.query.weight")) {
        e = new AutoPlan.Entry(g.id(), g.kind().label(), 1, 1, AutoPlan.Choice.LORA, 2, g.loraCount(2));
      } else {
        e = new AutoPlan.Entry(g.id(), g.kind().label(), 0, 0, AutoPlan.Choice.FROZEN, 0, 0);
      }
      planned += e.params();
      entries.add(e);
    }
    return new AutoPlan(planned, BASE.numParams(), 1, entries);
  }

  private static Set<String> fullKeys() {
    Set<String> keys = new java.util.HashSet<>();
    ParamGroup.of(BASE.getConfiguration()).stream()
        .filter(g -> g.id().equals("encoder.layer.0.output.dense.bias")
            || g.id().equals("encoder.layer.0.attention.output.LayerNorm"))
        .forEach(g -> keys.addAll(g.keys()));
    return keys;
  }

  /** The change of every trainable parameter after one SGD step of a model with {@code options}. */
  private static Map<String, INDArray> oneStep(Map<String, String> options) {
    Map<String, String> all = new HashMap<>(options);
    all.put("budget", "100%");
    AutoConfig config = AutoConfig.parse(all, HeadConfig.linear(2)).withPlan(plan());
    PeftModel model = PeftMethods.create(BASE, config, new Optimization(new Sgd(0.1), 0, 42));
    Map<String, INDArray> before = new LinkedHashMap<>();
    model.trainableParamTable().forEach((k, v) -> before.put(k, v.dup()));
    TokenBatch batch = TaskBatches.of(5, 1, 8).get(0);
    model.graph().fit(batch.toMultiDataSet(2));
    Map<String, INDArray> delta = new LinkedHashMap<>();
    model.trainableParamTable().forEach((k, v) -> delta.put(k, v.sub(before.get(k))));
    return delta;
  }

  @Test
  void fullLrScalesTheUpdateOfFullyTrainedGroupsOnly() {
    Map<String, INDArray> one = oneStep(Map.of("full_lr", "1"));
    Map<String, INDArray> quarter = oneStep(Map.of("full_lr", "0.25"));
    assertEquals(one.keySet(), quarter.keySet());
    Set<String> full = fullKeys();
    assertTrue(one.keySet().containsAll(full), one.keySet() + " holds " + full);
    int lora = 0;
    for (String key : one.keySet()) {
      INDArray a = one.get(key);
      INDArray b = quarter.get(key);
      if (full.contains(key)) {
        assertTrue(a.norm2Number().doubleValue() > 1e-6, key + " moved");
        assertEquals(0, b.sub(a.mul(0.25)).norm2Number().doubleValue(), 1e-4 * a.norm2Number().doubleValue(),
            key + ": a quarter of the step");
      } else {
        lora += key.contains("lora") ? 1 : 0;
        assertEquals(a, b, key + ": LoRA and head keep the rate");
      }
    }
    assertEquals(2, lora, "LoRA A and B of the query: " + one.keySet());
    assertTrue(one.entrySet().stream().filter(e -> e.getKey().contains("lora"))
        .anyMatch(e -> e.getValue().norm2Number().doubleValue() > 1e-6), "LoRA moved");
  }

  @Test
  void theRateFactorsSurviveTheConfigurationsJson() {
    Map<String, String> options = Map.of("budget", "100%", "full_lr", "0.25");
    PeftModel model = PeftMethods.create(BASE, AutoConfig.parse(options, HeadConfig.linear(2)).withPlan(plan()),
        Optimization.adamW(1e-3, 0));
    var conf = model.graph().getConfiguration();
    var restored = org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(conf.toJson());
    int scaled = 0;
    for (String vertex : conf.getVertices().keySet()) {
      if (conf.getVertices().get(vertex) instanceof org.deeplearning4j.nn.conf.graph.LayerVertex v
          && v.getLayerConf().getLayer() instanceof org.sparkpeft.models.bert.layers.SparkpeftLayerConf layer) {
        var back = (org.sparkpeft.models.bert.layers.SparkpeftLayerConf)
            ((org.deeplearning4j.nn.conf.graph.LayerVertex) restored.getVertices().get(vertex)).getLayerConf()
                .getLayer();
        assertEquals(layer.getRateFactors(), back.getRateFactors(), vertex);
        for (String param : layer.getRateFactors().keySet()) {
          assertEquals(0.25 * 1e-3, back.getUpdaterByParam(param).getLearningRate(3, 0), 1e-12, vertex + param);
          scaled++;
        }
      }
    }
    assertEquals(3, scaled, "the bias and the LayerNorm's gain and shift");
  }

  @Test
  void aScaledRateFollowsTheSchedule() {
    IUpdater adam = new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 1e-3, 0.9));
    IUpdater scaled = ScaledRate.scale(adam, 0.3);
    for (int step : new int[] {0, 7, 50}) {
      assertEquals(0.3 * adam.getLearningRate(step, 0), scaled.getLearningRate(step, 0), 1e-15);
    }
    assertEquals(adam, ScaledRate.scale(adam, 1));
    assertEquals(scaled, ScaledRate.scale(adam, 0.3), "equal factors make equal updaters (one updater block)");
    assertThrows(IllegalArgumentException.class, () -> new ScaledRate(adam, 0));
  }

  @Test
  void theLoraScaleIsConstantAcrossRanksWhenSetAndOldAdaptersKeepAlphaOverR() {
    AutoConfig constant = AutoConfig.parse(Map.of("lora_scale", "2", "lora_alpha", "8"), HeadConfig.linear(2));
    assertEquals(2, constant.scale(1));
    assertEquals(2, constant.scale(16));
    AutoConfig alpha = AutoConfig.parse(Map.of("lora_scale", "0", "lora_alpha", "8"), HeadConfig.linear(2));
    assertEquals(8, alpha.scale(1));
    assertEquals(0.5, alpha.scale(16));
    AutoConfig saved = constant.withPlan(plan());
    assertEquals(saved, AutoConfig.parse(saved.options(), HeadConfig.linear(2)), "options rebuild the config");
    Map<String, String> old = new HashMap<>(saved.options());
    old.remove("lora_scale");
    old.remove("full_lr");
    AutoConfig legacy = AutoConfig.parse(old, HeadConfig.linear(2));
    assertEquals(0, legacy.loraScale(), "an adapter saved before lora_scale trained with lora_alpha / r");
    assertEquals(1, legacy.fullLr());
    assertThrows(InvalidOptionException.class, () -> AutoConfig.parse(Map.of("full_lr", "0"), HeadConfig.linear(2)));
    AutoConfig defaults = AutoConfig.parse(Map.of(), HeadConfig.linear(2));
    assertEquals(AutoConfig.LORA_SCALE, defaults.loraScale());
    assertEquals(AutoConfig.FULL_LR, defaults.fullLr());
  }
}
