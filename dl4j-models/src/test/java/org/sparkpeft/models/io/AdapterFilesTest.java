package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.inference.PaddedBatch;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/** LoRA + head on the real MiniLM: save, load onto a fresh base, identical logits; every bad file refused. */
class AdapterFilesTest {

  private static BaseModel base;

  @BeforeAll
  static void load() {
    base = BaseModel.defaultModel();
  }

  private static final Map<String, String> OPTIONS = Map.of("r", "8", "lora_alpha", "16", "target_modules", "query,value");

  private static PeftModel trained() {
    PeftModel model = PeftMethods.create(BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN),
        PeftMethods.parse("lora", OPTIONS, new HeadConfig(2, 0, 0.1)), Optimization.adamW(1e-3, 0.01));
    Random random = new Random(3);
    for (INDArray view : model.trainableParamTable().values()) {
      for (long i = 0; i < view.length(); i++) {
        view.putScalar(i, random.nextGaussian() * 0.05);
      }
    }
    return model;
  }

  private static AdapterInfo info() {
    return new AdapterInfo("lora", OPTIONS, 0, 0.1, List.of("ham", "spam"), base.id(), base.fingerprint(),
        base.id(), "abc", Map.of("rounds", "12"));
  }

  @Test
  void aSavedAdapterLoadsOntoAFreshBaseWithBitEqualLogits() {
    PeftModel model = trained();
    AdapterFiles.Files files = AdapterFiles.save(model, info());
    assertTrue(files.weights().length < 0.005 * 4 * base.config().parameterCount(),
        "a LoRA r=8 (q, v) + head adapter is under 0.5 % of the base's bytes: " + files.weights().length);

    AdapterFiles.Loaded loaded = AdapterFiles.load(BaseModel.defaultModel(), files, "adapter");
    assertEquals(List.of("ham", "spam"), loaded.info().labels());
    PaddedBatch batch = PaddedBatch.of(List.of(new int[] {101, 7592, 2088, 999, 102}, new int[] {101, 2748, 102}));
    INDArray expected = model.graph().output(false, new INDArray[] {batch.ids()}, new INDArray[] {batch.mask()})[0];
    INDArray actual = loaded.model().graph().output(false, new INDArray[] {batch.ids()}, new INDArray[] {batch.mask()})[0];
    assertArrayEquals(expected.toFloatMatrix()[0], actual.toFloatMatrix()[0], 0f);
    assertArrayEquals(expected.toFloatMatrix()[1], actual.toFloatMatrix()[1], 0f);

    String config = new String(files.config(), StandardCharsets.UTF_8);
    assertTrue(config.contains("\"peft_type\" : \"LORA\""), config);
    assertTrue(config.contains("\"r\" : 8"), config);
    Map<String, Safetensors.Tensor> tensors = Safetensors.read(files.weights(), "w").tensors();
    Safetensors.Tensor loraA = tensors.get("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight");
    assertArrayEquals(new long[] {8, 384}, loraA.shape(), "PEFT's [r, in] layout");
    assertArrayEquals(new long[] {2, 384}, tensors.get("base_model.model.classifier.weight").shape());
    assertEquals(26, tensors.size(), "6 blocks x 2 roles x (A, B) + classifier weight and bias");
  }

  @Test
  void corruptedWrongBaseNewerOrIncompleteAdaptersAreRefusedWithOneSentence() {
    AdapterFiles.Files files = AdapterFiles.save(trained(), info());
    byte[] corrupt = files.weights().clone();
    corrupt[corrupt.length - 3] ^= 0x40;
    assertTrue(refusal(new AdapterFiles.Files(files.config(), corrupt)).contains("is truncated or corrupt"));
    byte[] truncated = java.util.Arrays.copyOf(files.weights(), files.weights().length / 2);
    assertTrue(refusal(new AdapterFiles.Files(files.config(), truncated)).contains("is truncated or corrupt"));

    String config = new String(files.config(), StandardCharsets.UTF_8);
    String otherBase = config.replace(base.fingerprint(), "0".repeat(64));
    assertTrue(refusal(new AdapterFiles.Files(otherBase.getBytes(StandardCharsets.UTF_8), files.weights()))
        .contains("not on the loaded base"));
    String newer = config.replace("\"format_version\" : 1", "\"format_version\" : 2");
    assertTrue(refusal(new AdapterFiles.Files(newer.getBytes(StandardCharsets.UTF_8), files.weights()))
        .contains("format version 2"));

    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>(Safetensors.read(files.weights(), "w").tensors());
    tensors.remove("base_model.model.encoder.layer.3.attention.self.value.lora_B.weight");
    byte[] missing = Safetensors.write(tensors, Map.of());
    String consistent = config.replace(AdapterFiles.sha256(files.weights()), AdapterFiles.sha256(missing));
    assertEquals("adapter/adapter_model.safetensors lacks tensor "
            + "base_model.model.encoder.layer.3.attention.self.value.lora_B.weight",
        refusal(new AdapterFiles.Files(consistent.getBytes(StandardCharsets.UTF_8), missing)));
  }

  /** adapter_config.json is read through the same option declarations as the job: a bad option names its path. */
  @Test
  void anUndeclaredOrBadMethodOptionInTheConfigIsRefusedNamingTheFileAndTheKey() {
    AdapterFiles.Files files = AdapterFiles.save(trained(), info());
    String config = new String(files.config(), StandardCharsets.UTF_8);
    assertTrue(config.contains("\"lora_alpha\" : \"16\""), config);
    String typo = config.replace("\"lora_alpha\" : \"16\"", "\"lora_alpha\" : \"16\", \"lora_alhpa\" : \"32\"");
    assertEquals("adapter/adapter_config.json: sparkpeft.method.options.lora_alhpa is not an option of lora (did you "
            + "mean lora_alpha?); lora accepts r, lora_alpha, lora_dropout, target_modules, layers_to_transform, use_rslora",
        refusal(new AdapterFiles.Files(typo.getBytes(StandardCharsets.UTF_8), files.weights())));
    String badRank = config.replace("\"r\" : \"8\"", "\"r\" : \"eight\"");
    assertEquals("adapter/adapter_config.json: sparkpeft.method.options.r must be an integer >= 1, got 'eight'",
        refusal(new AdapterFiles.Files(badRank.getBytes(StandardCharsets.UTF_8), files.weights())));
  }

  private static String refusal(AdapterFiles.Files files) {
    return assertThrows(IllegalArgumentException.class, () -> AdapterFiles.load(base, files, "adapter")).getMessage();
  }

}
