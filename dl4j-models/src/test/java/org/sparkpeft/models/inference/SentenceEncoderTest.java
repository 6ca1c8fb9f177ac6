package org.sparkpeft.models.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.layers.PoolingConf;

class SentenceEncoderTest {

  private static BaseModel model;

  @BeforeAll
  static void load() {
    model = BaseModel.defaultModel();
  }

  @Test
  void givesSentenceTransformersEmbeddingsInInputOrderWhateverTheBatching() {
    List<String> texts = List.of("The quick brown fox jumps over the lazy dog.", "Hello world!",
        "A much longer sentence, which pads the short ones in its batch with many padding positions indeed.", "ok");
    try (SentenceEncoder byOne = new SentenceEncoder(model, PoolingConf.Mode.MEAN, 256, 1, true);
         SentenceEncoder byFour = new SentenceEncoder(model, PoolingConf.Mode.MEAN, 256, 4, true)) {
      float[][] single = byOne.encode(texts);
      float[][] batched = byFour.encode(texts);
      assertEquals(384, single[0].length);
      // ONNX Runtime, mean-pooled and L2-normalised (the model's sentence-transformers pipeline)
      float[] expected = {0.04393f, 0.05893f, 0.04818f, 0.07755f, 0.02674f};
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], single[0][i], 1e-4);
      }
      for (int t = 0; t < texts.size(); t++) {
        double norm = 0;
        for (int h = 0; h < 384; h++) {
          assertEquals(single[t][h], batched[t][h], 1e-5, "text " + t + " dim " + h);
          norm += single[t][h] * single[t][h];
        }
        assertEquals(1.0, norm, 1e-5);
      }
    }
  }
}
