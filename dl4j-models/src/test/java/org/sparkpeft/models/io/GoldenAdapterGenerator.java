package org.sparkpeft.models.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.BaseModel;
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
 * Writes the golden adapter {@link GoldenAdapterTest} checks: a LoRA r=2 (query, value) + linear head adapter for
 * all-MiniLM-L6-v2 with seeded values (B != 0), and its outputs (class probabilities: the graph ends in softmax) on three real sentences. Only on purpose, when the
 * format changes (then also bump {@link AdapterFiles#FORMAT_VERSION} and keep a reader for the old one):
 * <pre>mvn -o -q -pl dl4j-models test -Dtest=GoldenAdapterGenerator -Dsparkpeft.golden.regenerate=true</pre>
 */
@EnabledIfSystemProperty(named = "sparkpeft.golden.regenerate", matches = "true")
class GoldenAdapterGenerator {

  static final String DIR = "golden/minilm-lora-r2";
  static final String OUTPUTS = "expected_outputs.json";
  static final Map<String, String> OPTIONS = Map.of("r", "2", "lora_alpha", "4", "target_modules", "query,value");

  @Test
  void generate() throws Exception {
    BaseModel base = BaseModel.defaultModel();
    PeftModel model = PeftMethods.create(BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN),
        PeftMethods.parse("lora", OPTIONS, HeadConfig.linear(2)), Optimization.adamW(1e-3, 0));
    Random random = new Random(20261124);
    for (INDArray view : model.trainableParamTable().values()) {
      for (long i = 0; i < view.length(); i++) {
        view.putScalar(i, (float) (random.nextGaussian() * 0.1));
      }
    }
    AdapterFiles.Files files = AdapterFiles.save(model, new AdapterInfo("lora", OPTIONS, 0, 0,
        List.of("ham", "spam"), base.id(), base.fingerprint(), base.id(), "golden", Map.of("note", "golden")));
    TokenBatch probe = RealSentences.batch(base, 0, 3, 32, 2);
    INDArray logits = FineTuning.predict(model, probe);

    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode expected = json.createObjectNode();
    ArrayNode ids = expected.putArray("input_ids");
    ArrayNode probabilities = expected.putArray("probabilities");
    for (int row = 0; row < probe.size(); row++) {
      ArrayNode r = ids.addArray();
      for (int id : probe.ids()[row]) {
        r.add(id);
      }
      ArrayNode p = probabilities.addArray();
      for (float v : logits.toFloatMatrix()[row]) {
        p.add(v);
      }
    }
    Path dir = Path.of("src/test/resources").resolve(DIR);
    Files.createDirectories(dir);
    Files.write(dir.resolve(AdapterFiles.CONFIG), files.config());
    Files.write(dir.resolve(AdapterFiles.WEIGHTS), files.weights());
    Files.write(dir.resolve(OUTPUTS), json.writeValueAsBytes(expected));
    System.out.println("wrote " + dir.toAbsolutePath());
  }
}
