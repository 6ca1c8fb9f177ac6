package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.node.JsonNodeFactory;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Crafted adapter folders (issue #19): weights whose sha256 is consistent with adapter_config.json but whose header
 * is hostile, tensors the configuration does not train, and configuration sizes the tensors do not bear out are all
 * refused with one sentence naming the file, before anything is allocated for them; a seeded fuzz of the folder
 * load path throws nothing else.
 */
@ExtendWith(OneNativeThread.class)
class CraftedAdapterTest {

  private static final String SOURCE = "adapter";
  private static final Map<String, String> LORA = Map.of("r", "2", "lora_alpha", "4", "target_modules", "query,value");
  private static final String EXTRA = "base_model.model.encoder.layer.0.attention.self.key.lora_A.weight";

  private static BaseModel base;
  private static AdapterFiles.Files good;

  @BeforeAll
  static void setUp() {
    base = TinyAdapters.base();
    good = TinyAdapters.adapter(base, "lora", LORA);
  }

  @Test
  void theTinyAdapterLoads() {
    assertEquals(List.of("no", "yes"), AdapterFiles.load(base, good, SOURCE).info().labels());
  }

  @Test
  void aTensorTheConfigurationDoesNotTrainIsRefusedNamingIt() {
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>(Safetensors.read(good.weights(), "w").tensors());
    tensors.put(EXTRA, new Safetensors.Tensor(new long[] {2, 32}, new float[64]));
    AdapterFiles.Files extra = TinyAdapters.withWeights(good, Safetensors.write(tensors, Map.of()));
    String expected = "adapter/adapter_model.safetensors holds tensor " + EXTRA + ", which the lora method "
        + "configured in adapter_config.json does not train";
    assertEquals(expected, refusal(extra));

    AdapterSet set = new AdapterSet(base); // the second add reuses the first one's graph: checked all the same
    set.add("good", good, "good");
    assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> set.add("extra", extra, SOURCE))
        .getMessage());
    assertEquals(List.of("good"), List.copyOf(set.names()));
  }

  @Test
  void aRankTheTensorsDoNotBearOutIsRefusedBeforeTheModelIsBuilt() {
    // r = 2^29 on hidden 32 would be 2^34 floats per LoRA matrix: building first runs out of memory
    AdapterFiles.Files hugeRank = TinyAdapters.withConfig(good,
        own -> ((ObjectNode) own.get("method").get("options")).put("r", "536870912"));
    String message = refusal(hugeRank);
    assertTrue(message.startsWith("adapter/adapter_model.safetensors: tensor base_model.model.encoder.layer.0."
        + "attention.self.query.lora_A.weight has shape [2, 32] but adapter_config.json"), message);
    assertTrue(message.endsWith("needs [536870912, 32]"), message);
  }

  @Test
  void aHeadWidthTheTensorsDoNotBearOutIsRefusedBeforeTheModelIsBuilt() {
    AdapterFiles.Files hugeHead = TinyAdapters.withConfig(good, own -> ((ObjectNode) own.get("head"))
        .put("hidden", 1 << 28));
    assertEquals("adapter/adapter_model.safetensors lacks tensor base_model.model.classifier.dense.weight",
        refusal(hugeHead));
  }

  @Test
  void aMalformedConfigValueIsRefusedNamingTheConfig() {
    AdapterFiles.Files badRank = TinyAdapters.withConfig(good,
        own -> ((ObjectNode) own.get("method").get("options")).put("r", "eight"));
    String message = refusal(badRank);
    // an option names its key as the file holds it (the declared options' validator)
    assertEquals("adapter/adapter_config.json: sparkpeft.method.options.r must be an integer >= 1, got 'eight'",
        message);
    AdapterFiles.Files oneLabel = TinyAdapters.withConfig(good, own -> own.putArray("labels").add("only"));
    assertEquals("adapter/adapter_config.json has an invalid method or head: a classification head needs >= 2 "
        + "labels, got 1", refusal(oneLabel));
  }

  @Test
  void hugeDataOffsetsWithAMatchingSha256AreRefusedWithoutAllocating() {
    long end = Long.MAX_VALUE - 3;
    long begin = end - 4L * 0x7FFFFFF0L;
    byte[] weights = SafetensorsTest.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2147483632],\"data_offsets\":["
        + begin + "," + end + "]}}", 16);
    String message = refusal(TinyAdapters.withWeights(good, weights));
    assertTrue(message.startsWith("adapter/adapter_model.safetensors is truncated or corrupt: tensor x lies outside"),
        message);
  }

  @Test
  void missingDataOffsetsWithAMatchingSha256AreRefusedWithOneSentence() {
    byte[] weights = SafetensorsTest.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4);
    assertEquals("adapter/adapter_model.safetensors: tensor x has data_offsets that are not two byte offsets >= 0",
        refusal(TinyAdapters.withWeights(good, weights)));
  }

  @Test
  void trainableShapesAreTheShapesOfTheBuiltModelForEveryMethod() {
    Map<String, Map<String, String>> methods = Map.of("lora", Map.of("r", "3", "target_modules", "all_linear"),
        "ia3", Map.of(), "bitfit", Map.of(), "last_n", Map.of("n", "1"), "adapter", Map.of("size", "5"),
        "head", Map.of());
    var encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    methods.forEach((type, options) -> {
      var config = PeftMethods.parse(type, options, new HeadConfig(3, 7, 0.1));
      PeftModel model = PeftMethods.create(encoder, config, Optimization.adamW(1e-3, 0));
      Map<String, long[]> shapes = PeftMethods.trainableShapes(encoder, config);
      assertEquals(model.trainableParamTable().keySet(), shapes.keySet(), type);
      for (Map.Entry<String, INDArray> e : model.trainableParamTable().entrySet()) {
        assertArrayEquals(e.getValue().shape(), shapes.get(e.getKey()), type + " " + e.getKey());
      }
    });
  }

  /** Thousands of mutated folders (weights with a consistent sha256, hostile config values): load or one sentence. */
  @Test
  void fuzzedAdapterFoldersLoadOrAreRefusedWithOneSentence() {
    Random random = new Random(19);
    byte[] weights = good.weights();
    int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(weights).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    int loaded = 0;
    int refused = 0;
    for (int i = 0; i < 3000; i++) {
      AdapterFiles.Files files;
      String what;
      if (i < 600) {
        int length = random.nextInt(weights.length);
        what = "weights truncated to " + length;
        files = TinyAdapters.withWeights(good, java.util.Arrays.copyOf(weights, length));
      } else if (i < 1800) {
        byte[] flipped = weights.clone();
        StringBuilder at = new StringBuilder("weights with bits flipped at");
        for (int f = 0; f <= random.nextInt(3); f++) {
          int pos = random.nextInt(5) > 0 ? random.nextInt(headerEnd) : random.nextInt(flipped.length);
          int bit = random.nextInt(8);
          flipped[pos] ^= (byte) (1 << bit);
          at.append(' ').append(pos).append('.').append(bit);
        }
        what = at.toString();
        files = TinyAdapters.withWeights(good, flipped);
      } else {
        String[] path = FIELDS[random.nextInt(FIELDS.length)];
        Object value = HOSTILE[random.nextInt(HOSTILE.length)];
        what = "config " + String.join(".", path) + " = " + value;
        files = TinyAdapters.withConfig(good, own -> set(own, path, value));
      }
      try {
        AdapterFiles.Loaded result = AdapterFiles.load(base, files, SOURCE);
        assertEquals(Safetensors.read(files.weights(), "w").tensors().size(),
            result.model().trainableParamTable().size(), what);
        loaded++;
      } catch (IllegalArgumentException e) {
        if (!e.getMessage().startsWith(SOURCE + "/") && !e.getMessage().startsWith(SOURCE + " ")
            || e.getMessage().contains("\n")) {
          fail("case " + i + " (" + what + "): not one sentence naming the source: " + e.getMessage(), e);
        }
        refused++;
      } catch (Throwable t) {
        fail("case " + i + " (" + what + ") threw " + t, t);
      }
    }
    assertTrue(loaded > 100 && refused > 1000, "loaded " + loaded + ", refused " + refused);
  }

  private static final String[][] FIELDS = {{"method", "type"}, {"method", "options", "r"},
      {"method", "options", "lora_alpha"}, {"method", "options", "target_modules"},
      {"method", "options", "layers_to_transform"}, {"method", "options", "lora_dropout"}, {"method", "options"},
      {"method"}, {"head", "hidden"}, {"head", "dropout"}, {"head"}, {"labels"}, {"format_version"},
      {"base_model"}};

  private static final Object[] HOSTILE = {null, "", "abc", "-1", "0", "1", "2", "3", "65", "2147483647",
      "2147483648", "9223372036854775808", "1e308", "NaN", "query,value,key", "query,nope", "0,1,2,99", "-3",
      -1, 0, 1, 2, 33, 1 << 20, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1e308, -0.5, 0.99, 1.5,
      List.of(), List.of("a"), List.of("a", "b", "c"), Map.of(), Map.of("type", "lora"), "ia3", "bitfit", "head",
      "last_n", "adapter", "lora"};

  private static void set(ObjectNode own, String[] path, Object value) {
    ObjectNode node = own;
    for (int i = 0; i < path.length - 1; i++) {
      node = node.get(path[i]) instanceof ObjectNode child ? child : node.putObject(path[i]);
    }
    node.set(path[path.length - 1], new org.nd4j.shade.jackson.databind.ObjectMapper().valueToTree(value));
    if (value == null) {
      node.set(path[path.length - 1], JsonNodeFactory.instance.nullNode());
    }
  }

  private static String refusal(AdapterFiles.Files files) {
    return assertThrows(IllegalArgumentException.class, () -> AdapterFiles.load(base, files, SOURCE)).getMessage();
  }
}
