package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.TokenBatch;

/**
 * The format stays readable: the golden LoRA r=2 adapter (src/test/resources/golden/minilm-lora-r2, written by
 * {@link GoldenAdapterGenerator}) loads onto all-MiniLM-L6-v2 and gives the recorded outputs, and saving it again
 * gives the same weights file byte for byte and the same adapter_config.json.
 */
@ExtendWith(OneNativeThread.class)
class GoldenAdapterTest {

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = GoldenAdapterTest.class.getResourceAsStream("/" + GoldenAdapterGenerator.DIR + "/" + name)) {
      if (in == null) {
        throw new IllegalStateException("golden file " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }

  @Test
  void theGoldenAdapterLoadsAndGivesTheRecordedOutputs() throws IOException {
    AdapterFiles.Files golden = new AdapterFiles.Files(resource(AdapterFiles.CONFIG), resource(AdapterFiles.WEIGHTS));
    AdapterFiles.Loaded loaded = AdapterFiles.load(BaseModel.defaultModel(), golden, "golden");
    ObjectMapper json = new ObjectMapper();
    JsonNode expected = json.readTree(resource(GoldenAdapterGenerator.OUTPUTS));
    int rows = expected.path("input_ids").size();
    int[][] ids = new int[rows][];
    for (int r = 0; r < rows; r++) {
      JsonNode row = expected.path("input_ids").get(r);
      ids[r] = new int[row.size()];
      for (int t = 0; t < row.size(); t++) {
        ids[r][t] = row.get(t).asInt();
      }
    }
    INDArray actual = FineTuning.predict(loaded.model(), new TokenBatch(ids, new int[rows]));
    for (int r = 0; r < rows; r++) {
      float[] want = new float[expected.path("probabilities").get(r).size()];
      for (int c = 0; c < want.length; c++) {
        want[c] = (float) expected.path("probabilities").get(r).get(c).asDouble();
      }
      assertArrayEquals(want, actual.toFloatMatrix()[r], 1e-5f, "row " + r);
    }
    assertEquals(2, rows > 0 ? actual.columns() : -1);

    AdapterFiles.Files again = AdapterFiles.save(loaded.model(), loaded.info());
    assertArrayEquals(golden.weights(), again.weights(), "re-saving gives the same safetensors bytes");
    assertEquals(json.readTree(golden.config()), json.readTree(again.config()), "and the same adapter_config.json");
    JsonNode config = json.readTree(golden.config());
    assertEquals("LORA", config.path("peft_type").asText());
    assertEquals(2, config.path("r").asInt());
    assertEquals(1, config.path("sparkpeft").path("format_version").asInt());
  }
}
