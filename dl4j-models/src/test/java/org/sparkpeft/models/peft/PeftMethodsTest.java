package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.peft.head.HeadOnlyConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/** The registry, config validation, and which parameters each method makes trainable (by structure). */
class PeftMethodsTest {

  private static final Optimization NONE = new Optimization(new NoOp(), 0, 1);

  @Test
  void methodsAreChosenByTypeName() {
    assertEquals(List.of("head", "lora"), List.copyOf(PeftMethods.types()));
    HeadConfig head = HeadConfig.parse(3, Map.of("head_hidden", "16", "head_dropout", "0.1"));
    assertEquals(new HeadConfig(3, 16, 0.1), head);
    assertEquals(new HeadOnlyConfig(head), PeftMethods.parse("head", Map.of(), head));
    LoraConfig lora = (LoraConfig) PeftMethods.parse("lora", Map.of("r", "4", "lora_alpha", "16",
        "target_modules", "query, value", "layers_to_transform", "1,0", "use_rslora", "true"), head);
    assertEquals(new LoraConfig(4, 16, 0, EnumSet.of(DenseRole.QUERY, DenseRole.VALUE), Set.of(0, 1), true, head), lora);
    assertEquals(8.0, lora.scale(), 1e-12);
    assertEquals(EnumSet.allOf(DenseRole.class), LoraConfig.targets(List.of("all_linear")));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> PeftMethods.parse("prefix", Map.of(), head));
    assertTrue(unknown.getMessage().contains("unknown PEFT method 'prefix'"), unknown.getMessage());
  }

  @Test
  void configsAreValidatedWhenBuilt() {
    HeadConfig head = HeadConfig.linear(2);
    Set<DenseRole> qv = EnumSet.of(DenseRole.QUERY, DenseRole.VALUE);
    assertThrows(IllegalArgumentException.class, () -> new HeadConfig(1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new HeadConfig(2, 0, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 8, 0, qv, Set.of(), false, head));
    assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 0, 0, qv, Set.of(), false, head));
    assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 8, 1.0, qv, Set.of(), false, head));
    assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 8, 0, Set.of(), Set.of(), false, head));
    assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 8, 0, qv, Set.of(-1), false, head));
    assertThrows(IllegalArgumentException.class, () -> LoraConfig.targets(List.of("dense")));
    ComputationGraph base = TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT);
    IllegalArgumentException noBlock = assertThrows(IllegalArgumentException.class, () -> PeftMethods.create(base,
        new LoraConfig(2, 4, 0, qv, Set.of(1, 5), false, head), NONE));
    assertTrue(noBlock.getMessage().contains("[5]"), noBlock.getMessage());
  }

  @Test
  void trainableParametersAreExactlyWhatTheMethodCreatedPlusTheHead() {
    ComputationGraph base = TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT);
    PeftModel head = PeftMethods.create(base, new HeadOnlyConfig(new HeadConfig(3, 8, 0.1)), NONE);
    assertEquals(Set.of("classifier.dense_W", "classifier.dense_b", "classifier_W", "classifier_b"),
        head.trainableParams());
    assertFrozenIsTheComplement(head);

    PeftModel lora = PeftMethods.create(base, new LoraConfig(2, 4, 0, EnumSet.of(DenseRole.QUERY,
        DenseRole.INTERMEDIATE), Set.of(1), false, HeadConfig.linear(3)), NONE);
    assertEquals(new TreeSet<>(Set.of("encoder.layer.1_query.loraA", "encoder.layer.1_query.loraB",
            "encoder.layer.1_intermediate.loraA", "encoder.layer.1_intermediate.loraB", "classifier_W", "classifier_b")),
        new TreeSet<>(lora.trainableParams()));
    assertFrozenIsTheComplement(lora);
    assertEquals(List.of(32L, 2L), List.of(lora.graph().getParam("encoder.layer.1_intermediate.loraA").shape()[0],
        lora.graph().getParam("encoder.layer.1_intermediate.loraA").shape()[1]));
    assertEquals(List.of(2L, 48L), List.of(lora.graph().getParam("encoder.layer.1_intermediate.loraB").shape()[0],
        lora.graph().getParam("encoder.layer.1_intermediate.loraB").shape()[1]));
    assertTrue(lora.graph().getLayer("encoder.layer.0").paramTable().keySet().stream().noneMatch(p -> p.contains("lora")));
    long loraParams = (32 * 2 + 2 * 32) + (32 * 2 + 2 * 48);
    assertEquals(base.numParams() + loraParams + 32 * 3 + 3, lora.totalCount());
    assertEquals(loraParams + 32 * 3 + 3, lora.trainableCount());
  }

  /** Every parameter is either trainable or in its layer's frozen set, never both. */
  private static void assertFrozenIsTheComplement(PeftModel model) {
    for (String key : model.graph().paramTable().keySet()) {
      String layer = key.substring(0, key.lastIndexOf('_'));
      String param = key.substring(key.lastIndexOf('_') + 1);
      if (model.graph().getLayer(layer).conf().getLayer() instanceof SparkpeftLayerConf conf) {
        assertEquals(!model.trainableParams().contains(key), conf.isFrozen(param), key);
      } else {
        assertTrue(model.trainableParams().contains(key), key + " is a head parameter");
      }
    }
  }
}
