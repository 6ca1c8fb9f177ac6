package org.sparkpeft.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.tokenizer.DefaultModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * The imported MiniLM in DL4J against ONNX Runtime on the same ONNX file: last hidden states and mean-pooled
 * embeddings of 53 real sentences of mixed lengths, in padded mixed-length batches.
 */
class OnnxRuntimeEqualityTest {

  private static final double TOLERANCE = 1e-4;

  private static BaseModel model;
  private static OrtEnvironment env;
  private static OrtSession session;

  @BeforeAll
  static void load() throws Exception {
    model = BaseModel.defaultModel();
    env = OrtEnvironment.getEnvironment();
    byte[] onnx;
    try (InputStream in = OnnxRuntimeEqualityTest.class.getResourceAsStream(DefaultModel.ONNX_RESOURCE)) {
      onnx = in.readAllBytes();
    }
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    session = env.createSession(onnx, options);
  }

  @AfterAll
  static void close() throws Exception {
    session.close();
  }

  @Test
  void hiddenStatesAndPooledEmbeddingsEqualOnnxRuntime() throws Exception {
    List<String> sentences;
    try (InputStream in = getClass().getResourceAsStream("/sentences.txt")) {
      sentences = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(s -> !s.isBlank()).toList();
    }
    assertTrue(sentences.size() >= 50);
    ComputationGraph graph = BertGraphs.embeddingModel(model.weights(), PoolingConf.Mode.MEAN);
    String last = BertGraphs.lastBlock(model.config());
    double maxHidden = 0;
    double maxPooled = 0;
    int tokens = 0;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(model.id(), model.tokenizerJson(), 128)) {
      for (int from = 0; from < sentences.size(); from += 8) {
        List<int[]> batch = new ArrayList<>();
        for (String s : sentences.subList(from, Math.min(from + 8, sentences.size()))) {
          batch.add(tokenizer.encode(s).ids());
        }
        int seq = batch.stream().mapToInt(a -> a.length).max().orElseThrow();
        long[][] ids = new long[batch.size()][seq];
        long[][] mask = new long[batch.size()][seq];
        for (int b = 0; b < batch.size(); b++) {
          for (int t = 0; t < batch.get(b).length; t++) {
            ids[b][t] = batch.get(b)[t];
            mask[b][t] = 1;
          }
        }
        float[][][] reference = runOrt(ids, mask);

        INDArray idsArray = Nd4j.createFromArray(ids).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        INDArray maskArray = Nd4j.createFromArray(mask).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        graph.setLayerMaskArrays(new INDArray[] {maskArray}, null);
        Map<String, INDArray> activations = graph.feedForward(new INDArray[] {idsArray}, false);
        graph.clearLayerMaskArrays();
        INDArray hidden = activations.get(last);
        INDArray pooled = activations.get(PoolingConf.NAME);
        assertEquals(List.of((long) batch.size(), (long) seq, 384L), List.of(hidden.size(0), hidden.size(1), hidden.size(2)));
        for (int b = 0; b < batch.size(); b++) {
          float[] meanRef = new float[384];
          int n = batch.get(b).length;
          for (int t = 0; t < n; t++) {
            tokens++;
            for (int h = 0; h < 384; h++) {
              maxHidden = Math.max(maxHidden, Math.abs(hidden.getFloat(b, t, h) - reference[b][t][h]));
              meanRef[h] += reference[b][t][h] / n;
            }
          }
          for (int h = 0; h < 384; h++) {
            maxPooled = Math.max(maxPooled, Math.abs(pooled.getFloat(b, h) - meanRef[h]));
          }
        }
      }
    }
    System.out.printf("DL4J vs ONNX Runtime on %d sentences, %d tokens: max|diff| hidden %.2e, pooled %.2e%n",
        sentences.size(), tokens, maxHidden, maxPooled);
    assertTrue(tokens > 500, "the sentences should cover many tokens, got " + tokens);
    assertTrue(maxHidden <= TOLERANCE, "max |DL4J - ORT| of last hidden states = " + maxHidden);
    assertTrue(maxPooled <= TOLERANCE, "max |DL4J - ORT| of mean-pooled embeddings = " + maxPooled);
  }

  private static float[][][] runOrt(long[][] ids, long[][] mask) throws Exception {
    long[][] types = new long[ids.length][ids[0].length];
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, ids);
         OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
         OnnxTensor typeTensor = OnnxTensor.createTensor(env, types);
         OrtSession.Result result = session.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor,
             "token_type_ids", typeTensor))) {
      return (float[][][]) result.get(0).getValue();
    }
  }
}
