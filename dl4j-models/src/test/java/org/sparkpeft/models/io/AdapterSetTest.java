package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
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
import org.sparkpeft.models.train.TokenBatch;

/**
 * Several adapters on one loaded MiniLM: two LoRA adapters (same configuration, different tensors) and an IA3 one
 * are loaded into one {@link AdapterSet}; switching between them in any order gives, bit for bit, the logits of
 * loading each alone; the base is imported once and its weights read into one graph; the two LoRA adapters share
 * one adapted graph (its frozen arrays are the same objects) and switching touches only trainable tensors.
 */
@ExtendWith(OneNativeThread.class)
class AdapterSetTest {

  private static AdapterFiles.Files adapter(BaseModel base, String type, Map<String, String> options, long seed) {
    PeftModel model = PeftMethods.create(BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN),
        PeftMethods.parse(type, options, HeadConfig.linear(2)), Optimization.adamW(1e-3, 0));
    Random random = new Random(seed);
    for (INDArray view : model.trainableParamTable().values()) {
      for (long i = 0; i < view.length(); i++) {
        view.putScalar(i, view.getDouble(i) + random.nextGaussian() * 0.05);
      }
    }
    return AdapterFiles.save(model, new AdapterInfo(type, options, 0, 0, List.of("a", "b"), base.id(),
        base.fingerprint(), base.id(), "t", Map.of()));
  }

  @Test
  void twoAdaptersOnOneBaseScoreLikeEachLoadedAlone() {
    BaseModel base = BaseModel.defaultModel(); // the one import of the base in the set
    Map<String, String> lora = Map.of("r", "4", "lora_alpha", "8", "target_modules", "query,value");
    AdapterFiles.Files first = adapter(base, "lora", lora, 1);
    AdapterFiles.Files second = adapter(base, "lora", lora, 2);
    AdapterFiles.Files third = adapter(base, "ia3", Map.of(), 3);
    TokenBatch probe = RealSentences.batch(base, 0, 3, 48, 2);

    BaseModel alone = BaseModel.defaultModel();
    INDArray expectFirst = FineTuning.predict(AdapterFiles.load(alone, first, "first").model(), probe);
    INDArray expectSecond = FineTuning.predict(AdapterFiles.load(alone, second, "second").model(), probe);
    INDArray expectThird = FineTuning.predict(AdapterFiles.load(alone, third, "third").model(), probe);
    assertTrue(expectFirst.sub(expectSecond).amaxNumber().doubleValue() > 1e-4, "the adapters differ");

    AdapterSet set = new AdapterSet(base);
    INDArray baseWeight = set.baseGraph().getParam("encoder.layer.0_query.W").dup();
    set.add("first", first, "first");
    set.add("second", second, "second");
    set.add("third", third, "third");
    assertEquals("first", set.activeName());
    assertEquals(2, set.graphCount(), "one graph per distinct method configuration");
    PeftModel loraGraph = set.active();
    INDArray frozen = loraGraph.graph().getParam("encoder.layer.2_value.W");

    for (String name : List.of("second", "first", "third", "second", "third", "first")) {
      PeftModel model = set.activate(name);
      INDArray expected = name.equals("first") ? expectFirst : name.equals("second") ? expectSecond : expectThird;
      INDArray actual = FineTuning.predict(model, probe);
      for (int row = 0; row < probe.size(); row++) {
        assertArrayEquals(expected.toFloatMatrix()[row], actual.toFloatMatrix()[row], 0f, name + " row " + row);
      }
      if (!name.equals("third")) {
        assertSame(loraGraph, model, "both LoRA adapters run in one graph");
        assertSame(frozen, model.graph().getParam("encoder.layer.2_value.W"), "the frozen arrays stay in place");
      }
    }
    assertEquals(0.0, set.baseGraph().getParam("encoder.layer.0_query.W").sub(baseWeight).amaxNumber().doubleValue());
    assertEquals(List.of("first", "second", "third"), List.copyOf(set.names()));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> set.activate("fourth"));
    assertTrue(missing.getMessage().contains("no adapter named 'fourth'"), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> set.add("first", first, "again"));
  }
}
