package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/** head.init=probe: the head-only run's config, and its head copied into the method's model. */
class HeadProbeTest {

  private static TrainConfig config(String... settings) {
    List<String> all = new ArrayList<>(List.of("data=/tmp/x", "output.path=/tmp/y"));
    all.addAll(List.of(settings));
    return TrainConfigLoader.load(null, all);
  }

  @Test
  void theHeadOnlyRunKeepsTheUsersDataKeysAndDropsTheMethodsOwn() {
    TrainConfig job = config("method.type=lora", "method.options.r=4", "optimizer.lr=1e-4", "train.epochs=3",
        "train.max-length=96", "train.seed=5", "head.hidden=16", "head.init=probe");
    TrainConfig head = HeadProbe.config(job);
    assertEquals("head", head.methodType());
    assertTrue(head.methodOptions().isEmpty(), head.methodOptions().toString());
    assertEquals(TrainConfig.HeadInit.RANDOM, head.head().init());
    assertEquals(16, head.head().hidden(), "the same head is trained");
    assertFalse(head.baseline().enabled(), "the job's own baseline is enough");
    // the user's data and run keys stay set; the encoder's rate is not the head's
    assertTrue(head.isExplicit("train.epochs") && head.isExplicit("train.max-length") && head.isExplicit("train.seed"));
    assertEquals(3, head.train().epochs());
    assertEquals(96, head.train().maxLength());
    assertEquals(5, head.train().seed());
    assertFalse(head.isExplicit("optimizer.lr") || head.isExplicit("method.type") || head.isExplicit("head.init"),
        head.explicitKeys().toString());
    // a head rate the user set is what the head-only run trains with
    TrainConfig withHeadRate = HeadProbe.config(config("method.type=lora", "optimizer.lr=1e-4",
        "optimizer.head-lr=3e-3"));
    assertTrue(withHeadRate.isExplicit("optimizer.lr"));
    assertEquals(3e-3, withHeadRate.optimizer().learningRate());
    assertFalse(withHeadRate.isExplicit("optimizer.head-lr"));
  }

  @Test
  void theHeadIsCopiedIntoTheMethodsModelAndNothingElseChanges() {
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    PeftModel headOnly = PeftMethods.create(encoder, PeftMethods.parse("head", Map.of(), new HeadConfig(3, 0, 0)),
        new Optimization(new Adam(1e-3), 0, 1));
    PeftModel lora = PeftMethods.create(encoder, PeftMethods.parse("lora", Map.of(), new HeadConfig(3, 0, 0)),
        new Optimization(new Adam(1e-3), 0, 2));
    Map<String, INDArray> head = new LinkedHashMap<>();
    headOnly.trainableParamTable().forEach((k, v) -> head.put(k, v.add(0.25)));
    assertFalse(head.isEmpty());
    INDArray before = lora.graph().params().dup();
    HeadProbe.load(lora, head);
    long changed = 0;
    for (Map.Entry<String, INDArray> e : head.entrySet()) {
      assertEquals(e.getValue(), lora.graph().getParam(e.getKey()), e.getKey());
      changed += e.getValue().length();
    }
    // only the head's values moved
    INDArray after = lora.graph().params();
    long differ = before.neq(after).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
    assertTrue(differ > 0 && differ <= changed, differ + " of " + changed);

    Map<String, INDArray> foreign = Map.of("encoder.layer.0_W_q", head.values().iterator().next());
    assertThrows(IllegalArgumentException.class, () -> HeadProbe.load(lora, foreign));
    String key = head.keySet().iterator().next();
    Map<String, INDArray> wrongShape = Map.of(key, org.nd4j.linalg.factory.Nd4j.zeros(2, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadProbe.load(lora, wrongShape));
    assertTrue(e.getMessage().contains("shape"), e.getMessage());
  }
}
