package org.sparkpeft.models.peft.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/** LoRA r=8 on query+value with a linear head on the real all-MiniLM-L6-v2, on real sentences. */
class LoraMiniLmTest {

  private static BaseModel base;
  private static ComputationGraph baseGraph;
  private static INDArray ids;
  private static INDArray mask;

  @BeforeAll
  static void load() throws Exception {
    base = BaseModel.defaultModel();
    baseGraph = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    List<String> sentences;
    try (InputStream in = LoraMiniLmTest.class.getResourceAsStream("/sentences.txt")) {
      sentences = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(s -> !s.isBlank())
          .limit(16).toList();
    }
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), 128)) {
      List<int[]> encoded = sentences.stream().map(s -> tokenizer.encode(s).ids()).toList();
      int seq = encoded.stream().mapToInt(a -> a.length).max().orElseThrow();
      float[][] idRows = new float[encoded.size()][seq];
      float[][] maskRows = new float[encoded.size()][seq];
      for (int b = 0; b < encoded.size(); b++) {
        for (int t = 0; t < encoded.get(b).length; t++) {
          idRows[b][t] = encoded.get(b)[t];
          maskRows[b][t] = 1;
        }
      }
      ids = Nd4j.createFromArray(idRows);
      mask = Nd4j.createFromArray(maskRows);
    }
  }

  private static PeftModel lora() {
    return PeftMethods.create(baseGraph, LoraConfig.of(8, 16, EnumSet.of(DenseRole.QUERY, DenseRole.VALUE),
        HeadConfig.linear(2)), Optimization.adamW(1e-3, 0.01));
  }

  @Test
  void aboutAThirdOfAPercentIsTrainableAndTheInitialOutputIsTheBases() {
    long start = System.nanoTime();
    PeftModel model = lora();
    double createMs = (System.nanoTime() - start) / 1e6;
    long lora = 6L * 2 * (384 * 8 + 8 * 384);
    assertEquals(lora + 384 * 2 + 2, model.trainableCount());
    assertEquals(baseGraph.numParams() + lora + 384 * 2 + 2, model.totalCount());
    double percent = 100.0 * model.trainableCount() / model.totalCount();
    System.out.println(model.summary() + String.format(" (%.4f%% of the base's %,d; created in %.0f ms)",
        100.0 * model.trainableCount() / baseGraph.numParams(), baseGraph.numParams(), createMs));
    assertTrue(percent > 0.3 && percent < 0.35, "trainable % = " + percent);
    java.util.Map<String, Long> groups = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      groups.put("encoder.layer." + i, 2L * (384 * 8 + 8 * 384));
    }
    groups.put("classifier", 384L * 2 + 2);
    assertEquals(groups, model.trainableByLayer());

    INDArray expected = LoraTest.pooled(baseGraph, ids, mask);
    INDArray actual = LoraTest.pooled(model.graph(), ids, mask);
    assertEquals(0.0, actual.sub(expected).amaxNumber().doubleValue(), "B = 0: LoRA must not change the output");

    // one AdamW step on real sentences moves B away from zero and changes the output
    INDArray labels = Nd4j.zeros(DataType.FLOAT, ids.size(0), 2);
    for (int i = 0; i < ids.size(0); i++) {
      labels.putScalar(i, i % 2, 1.0);
    }
    MultiDataSet data = new MultiDataSet(new INDArray[] {ids}, new INDArray[] {labels}, new INDArray[] {mask}, null);
    model.graph().fit(data);
    start = System.nanoTime();
    model.graph().fit(data);
    System.out.printf("LoRA training step, batch %d x seq %d: %.0f ms%n", ids.size(0), ids.size(1),
        (System.nanoTime() - start) / 1e6);
    assertTrue(LoraTest.pooled(model.graph(), ids, mask).sub(expected).amaxNumber().doubleValue() > 1e-6);
  }

  @Test
  void mergedOutputEqualsUnmergedAndUnmergeRestoresTheBaseWeights() {
    PeftModel model = lora();
    LoraTest.randomizeB(model.graph(), 17); // a trained-looking adapter: B != 0
    INDArray unmerged = LoraTest.pooled(model.graph(), ids, mask);
    INDArray base = LoraTest.pooled(baseGraph, ids, mask);
    assertTrue(unmerged.sub(base).amaxNumber().doubleValue() > 1e-3, "the adapter must change the output");

    assertEquals(12, LoraMerge.merge(model.graph()));
    double mergedDiff = LoraTest.pooled(model.graph(), ids, mask).sub(unmerged).amaxNumber().doubleValue();
    assertEquals(12, LoraMerge.unmerge(model.graph()));
    double weightDiff = 0;
    for (int i = 0; i < 6; i++) {
      for (DenseRole role : DenseRole.values()) {
        String key = "encoder.layer." + i + "_" + role.paramPrefix() + ".W";
        weightDiff = Math.max(weightDiff, model.graph().getParam(key).sub(baseGraph.getParam(key))
            .amaxNumber().doubleValue());
      }
    }
    double unmergedDiff = LoraTest.pooled(model.graph(), ids, mask).sub(unmerged).amaxNumber().doubleValue();
    System.out.printf("LoRA merge on MiniLM: max|merged - unmerged| pooled %.2e; after unmerge: weights %.2e, "
        + "pooled %.2e%n", mergedDiff, weightDiff, unmergedDiff);
    assertTrue(mergedDiff <= 1e-5, "merged vs unmerged output: " + mergedDiff);
    assertTrue(weightDiff <= 1e-6, "unmerged weights vs base: " + weightDiff);
    assertTrue(unmergedDiff <= 1e-5, "unmerged output vs before merging: " + unmergedDiff);
  }
}
