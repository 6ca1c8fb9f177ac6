package org.sparkpeft.models.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.tokenizer.DefaultModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * Inference benchmark (not a test): MiniLM forward passes at batch 32, sequence 128 (and 64), DL4J against ONNX
 * Runtime Java on the same ONNX file and the same token ids, in one run. Prints a table and writes JSON.
 *
 * Run it with {@code bin/sparkpeft bench inference [iterations] [result.json]}.
 */
public final class InferenceBench {

  private static final int BATCH = 32;

  private InferenceBench() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path json = Path.of(args.length > 1 ? args[1] : "target/inference-bench.json");
    BaseModel model = BaseModel.defaultModel();
    ComputationGraph graph = BertGraphs.embeddingModel(model.weights(), PoolingConf.Mode.MEAN);
    byte[] onnx;
    try (InputStream in = InferenceBench.class.getResourceAsStream(DefaultModel.ONNX_RESOURCE)) {
      onnx = in.readAllBytes();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(2);
    List<String> rows = new ArrayList<>();
    StringBuilder out = new StringBuilder("[");
    System.out.printf("MiniLM inference, batch %d, %d iterations (threads: ORT 2, ND4J %s)%n", BATCH, iterations,
        System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
    System.out.printf("%-6s %14s %14s %8s%n", "seq", "DL4J ex/s", "ORT ex/s", "ratio");
    try (OrtSession session = env.createSession(onnx, options);
         TextTokenizer tokenizer = TextTokenizer.fromJson(model.id(), model.tokenizerJson(), 512)) {
      for (int seq : new int[] {128, 64}) {
        long[][] ids = tokens(tokenizer, seq);
        double dl4j = dl4j(graph, ids, iterations);
        double ort = ort(env, session, ids, iterations);
        System.out.printf(Locale.ROOT, "%-6d %14.1f %14.1f %8.2f%n", seq, dl4j, ort, dl4j / ort);
        rows.add(String.format(Locale.ROOT, "{\"seq\":%d,\"batch\":%d,\"dl4j_examples_per_sec\":%.2f,"
            + "\"ort_examples_per_sec\":%.2f,\"ratio\":%.3f}", seq, BATCH, dl4j, ort, dl4j / ort));
      }
    }
    long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    System.out.printf("memory: JVM heap in use %d MB, off-heap (javacpp) peak %d MB, process RSS %d MB%n",
        heap >> 20, Pointer.totalBytes() >> 20, Pointer.physicalBytes() >> 20);
    out.append(String.join(",", rows)).append("]");
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, out.toString(), StandardCharsets.UTF_8);
  }

  /** A batch of real text, tokenized and cut or repeated to exactly {@code seq} tokens. */
  static long[][] tokens(TextTokenizer tokenizer, int seq) {
    String text = "Parameter-efficient fine-tuning freezes the pretrained transformer and trains small added "
        + "matrices; Spark spreads the minibatches over executors and averages only those matrices each round. ";
    int[] base = tokenizer.encode(text.repeat(12)).ids();
    long[][] ids = new long[BATCH][seq];
    for (int b = 0; b < BATCH; b++) {
      for (int t = 0; t < seq; t++) {
        ids[b][t] = t == 0 ? 101 : t == seq - 1 ? 102 : base[1 + (t + b) % (base.length - 2)];
      }
    }
    return ids;
  }

  static double dl4j(ComputationGraph graph, long[][] ids, int iterations) {
    INDArray input = Nd4j.createFromArray(ids).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    INDArray mask = Nd4j.onesLike(input);
    for (int i = 0; i < 2; i++) {
      graph.output(false, new INDArray[] {input}, new INDArray[] {mask});
    }
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      graph.output(false, new INDArray[] {input}, new INDArray[] {mask});
    }
    return BATCH * iterations / ((System.nanoTime() - start) / 1e9);
  }

  static double ort(OrtEnvironment env, OrtSession session, long[][] ids, int iterations) throws Exception {
    long[][] mask = new long[ids.length][ids[0].length];
    long[][] types = new long[ids.length][ids[0].length];
    for (long[] row : mask) {
      java.util.Arrays.fill(row, 1);
    }
    try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
         OnnxTensor m = OnnxTensor.createTensor(env, mask);
         OnnxTensor t = OnnxTensor.createTensor(env, types)) {
      Map<String, OnnxTensor> inputs = Map.of("input_ids", a, "attention_mask", m, "token_type_ids", t);
      for (int i = 0; i < 2; i++) {
        session.run(inputs).close();
      }
      long start = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        session.run(inputs).close();
      }
      return BATCH * iterations / ((System.nanoTime() - start) / 1e9);
    }
  }
}
