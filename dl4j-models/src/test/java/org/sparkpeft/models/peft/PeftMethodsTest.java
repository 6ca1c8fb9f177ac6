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
import org.sparkpeft.models.peft.adapter.AdapterActivation;
import org.sparkpeft.models.peft.adapter.AdapterConfig;
import org.sparkpeft.models.peft.bitfit.BitFitConfig;
import org.sparkpeft.models.peft.head.HeadOnlyConfig;
import org.sparkpeft.models.peft.ia3.Ia3Config;
import org.sparkpeft.models.peft.lastn.LastNConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/** The registry, config validation, and which parameters each method makes trainable (by structure). */
class PeftMethodsTest {

  private static final Optimization NONE = new Optimization(new NoOp(), 0, 1);

  @Test
  void methodsAreChosenByTypeName() {
    assertEquals(List.of("head", "last_n", "bitfit", "lora", "ia3", "adapter", "auto"), List.copyOf(PeftMethods.types()));
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

  @Test
  void newMethodsParseTheirOptionsAndNameTheBadOne() {
    HeadConfig head = HeadConfig.linear(2);
    assertEquals(new LastNConfig(3, head), PeftMethods.parse("last_n", Map.of("n", "3"), head));
    assertEquals(new BitFitConfig(head), PeftMethods.parse("bitfit", Map.of(), head));
    assertEquals(new Ia3Config(EnumSet.of(DenseRole.KEY, DenseRole.VALUE, DenseRole.OUTPUT), Set.of(), head),
        PeftMethods.parse("ia3", Map.of(), head));
    assertEquals(new Ia3Config(EnumSet.of(DenseRole.QUERY), Set.of(0, 2), head),
        PeftMethods.parse("ia3", Map.of("target_modules", "query", "layers_to_transform", "2, 0"), head));
    assertEquals(new AdapterConfig(64, AdapterActivation.RELU, true, Set.of(), head),
        PeftMethods.parse("adapter", Map.of(), head));
    assertEquals(new AdapterConfig(8, AdapterActivation.TANH, false, Set.of(5), head), PeftMethods.parse("adapter",
        Map.of("size", "8", "activation", "tanh", "residual", "false", "layers_to_transform", "5"), head));
    Map<String, Map<String, String>> bad = new java.util.LinkedHashMap<>();
    bad.put("last_n:n", Map.of("n", "0"));
    bad.put("last_n:n ", Map.of("n", "two"));
    bad.put("ia3:target_modules", Map.of("target_modules", "query,dense"));
    bad.put("ia3:layers_to_transform", Map.of("layers_to_transform", "1,x"));
    bad.put("adapter:size", Map.of("size", "0"));
    bad.put("adapter:activation", Map.of("activation", "swish"));
    bad.put("adapter:residual", Map.of("residual", "yes"));
    bad.forEach((where, options) -> {
      String type = where.substring(0, where.indexOf(':'));
      String option = where.substring(where.indexOf(':') + 1).trim();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PeftMethods.parse(type, options, head), where);
      assertTrue(e.getMessage().contains(option), where + ": " + e.getMessage());
    });
    ComputationGraph base = TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT);
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> PeftMethods.create(base, new LastNConfig(3, head), NONE));
    assertTrue(tooMany.getMessage().contains("n=3 exceeds the encoder's 2 blocks"), tooMany.getMessage());
    IllegalArgumentException noBlock = assertThrows(IllegalArgumentException.class,
        () -> PeftMethods.create(base, new AdapterConfig(4, AdapterActivation.RELU, true, Set.of(7), head), NONE));
    assertTrue(noBlock.getMessage().contains("layers_to_transform [7]"), noBlock.getMessage());
  }

  @Test
  void newMethodsSelectParametersByStructure() {
    ComputationGraph base = TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT);
    HeadConfig head = HeadConfig.linear(3);
    PeftModel lastN = PeftMethods.create(base, new LastNConfig(1, head), NONE);
    assertEquals(16 + 2, lastN.trainableParams().size(), "all 16 arrays of block 1 + the head");
    assertTrue(lastN.trainableParams().stream().allMatch(k -> k.startsWith("encoder.layer.1_") || k.startsWith("classifier")));
    assertEquals(base.getLayer("encoder.layer.1").numParams() + 32 * 3 + 3, lastN.trainableCount());
    assertFrozenIsTheComplement(lastN);

    PeftModel bitFit = PeftMethods.create(base, new BitFitConfig(head), NONE);
    Set<String> biases = new TreeSet<>(Set.of("embeddings_norm.beta", "classifier_W", "classifier_b"));
    for (int i = 0; i < 2; i++) {
      for (DenseRole role : DenseRole.values()) {
        biases.add("encoder.layer." + i + "_" + role.paramPrefix() + ".b");
      }
      biases.add("encoder.layer." + i + "_attentionNorm.beta");
      biases.add("encoder.layer." + i + "_outputNorm.beta");
    }
    assertEquals(biases, new TreeSet<>(bitFit.trainableParams()));
    assertFrozenIsTheComplement(bitFit);

    PeftModel ia3 = PeftMethods.create(base, new Ia3Config(EnumSet.of(DenseRole.KEY, DenseRole.OUTPUT), Set.of(1),
        head), NONE);
    assertEquals(new TreeSet<>(Set.of("encoder.layer.1_key.ia3", "encoder.layer.1_output.ia3", "classifier_W",
        "classifier_b")), new TreeSet<>(ia3.trainableParams()));
    assertEquals(List.of(1L, 32L), List.of(ia3.graph().getParam("encoder.layer.1_key.ia3").shape()[0],
        ia3.graph().getParam("encoder.layer.1_key.ia3").shape()[1]));
    assertEquals(48L, ia3.graph().getParam("encoder.layer.1_output.ia3").length(), "the FFN activation's size");
    assertEquals(1.0, ia3.graph().getParam("encoder.layer.1_output.ia3").minNumber().doubleValue());
    assertEquals(32 + 48 + 32 * 3 + 3, ia3.trainableCount());
    assertFrozenIsTheComplement(ia3);

    PeftModel adapter = PeftMethods.create(base, new AdapterConfig(4, AdapterActivation.RELU, true, Set.of(),
        head), NONE);
    long perAdapter = 32 * 4 + 4 + 4 * 32 + 32;
    assertEquals(2 * 2 * perAdapter + 32 * 3 + 3, adapter.trainableCount());
    assertEquals(0.0, adapter.graph().getParam("encoder.layer.0_outputAdapter.up.W").amaxNumber().doubleValue());
    assertTrue(adapter.graph().getParam("encoder.layer.0_outputAdapter.down.W").amaxNumber().doubleValue() > 0);
    assertEquals(Map.of("encoder.layer.0", 2 * perAdapter, "encoder.layer.1", 2 * perAdapter, "classifier", 99L),
        adapter.trainableByLayer());
    assertFrozenIsTheComplement(adapter);
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
