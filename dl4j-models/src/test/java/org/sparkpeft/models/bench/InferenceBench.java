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
import org.nd4j.shade.jackson.databind.JsonNode;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.ReusedActivations;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.tokenizer.DefaultModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * Inference benchmark (not a test): MiniLM forward passes (no gradients) at batch 32, sequence 128 and 64, 2
 * threads, on the same token ids: DL4J against PyTorch no-grad ({@code bench/pytorch_minilm.py}, the same weights)
 * in this invocation, repetitions alternating, medians and their ratio; ONNX Runtime Java on the same ONNX file as
 * an extra column. Also the GEMM probe and the FLOP rate of each side. Prints a table and writes JSON.
 *
 * <p>Run it with {@code bin/sparkpeft bench inference [iterations-per-rep] [result.json] [reps]}.
 */
public final class InferenceBench {

  private static final int BATCH = 32;

  private InferenceBench() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path json = Path.of(args.length > 1 ? args[1] : "target/inference-bench.json");
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int threads = Integer.getInteger("sparkpeft.bench.threads", 2);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    BaseModel model = BaseModel.defaultModel();
    ComputationGraph graph = BertGraphs.embeddingModel(model.weights(), PoolingConf.Mode.MEAN);
    byte[] onnx;
    try (InputStream in = InferenceBench.class.getResourceAsStream(DefaultModel.ONNX_RESOURCE)) {
      onnx = in.readAllBytes();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    System.out.printf("MiniLM inference (no grad, mean-pooled embeddings), batch %d, %d threads; %d alternating "
        + "repetitions of %d forwards per side, after one untimed repetition each%n", BATCH, threads, reps, iterations);
    System.out.println("machine: " + Machine.describe());
    Path dir = Files.createTempDirectory("sparkpeft-bench");
    // the reference reads the base weights (its head is not used here: the encoder's pooled output is the work)
    ComputationGraph withHead = PeftMethods.create(graph, PeftMethods.parse("head", Map.of(), HeadConfig.linear(2)),
        Optimization.adamW(1e-3, 0.01)).graph();
    List<String> rows = new ArrayList<>();
    try (OrtSession session = env.createSession(onnx, options);
         TextTokenizer tokenizer = TextTokenizer.fromJson(model.id(), model.tokenizerJson(), 512);
         TorchReference torch = TorchReference.start(BenchFiles.weights(model.weights(), withHead, dir), threads)) {
      for (int seq : Machine.seqs()) {
        long[][] ids = tokens(tokenizer, seq);
        JsonNode setup = torch == null ? null : torch.setup(seq, BenchFiles.tokens(ids, dir));
        if (rows.isEmpty()) {
          System.out.println(TorchReference.blasLine(setup));
        }
        List<long[]> shapes = Machine.gemmShapes(model.config(), BATCH, seq);
        double nd4jGemm = Machine.nd4jGemm(shapes, 3);
        double torchGemm = torch == null ? Double.NaN : torch.gemm(shapes, 3);
        dl4j(graph, ids, iterations); // one untimed repetition per side first
        ort(env, session, ids, iterations);
        if (torch != null) {
          torch.infer(seq, iterations);
        }
        List<Double> d = new ArrayList<>();
        List<Double> t = new ArrayList<>();
        List<Double> o = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
          d.add(dl4j(graph, ids, iterations));
          if (torch != null) {
            t.add(torch.infer(seq, iterations));
          }
          o.add(ort(env, session, ids, iterations));
        }
        rows.add(row(seq, threads, reps, iterations, d, t, o, Machine.forwardFlops(model.config(), seq), nd4jGemm,
            torchGemm));
      }
    }
    long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    System.out.printf("memory: JVM heap in use %d MB, off-heap (javacpp) peak %d MB, process RSS %d MB%n",
        heap >> 20, Pointer.totalBytes() >> 20, Pointer.physicalBytes() >> 20);
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, "[" + String.join(",", rows) + "]", StandardCharsets.UTF_8);
    System.out.println("wrote " + json);
  }

  private static String row(int seq, int threads, int reps, int iterations, List<Double> dl4j, List<Double> torch,
                            List<Double> ort, double flops, double nd4jGemm, double torchGemm) {
    double d = Machine.median(dl4j);
    double t = torch.isEmpty() ? Double.NaN : Machine.median(torch);
    double o = Machine.median(ort);
    double peak = Double.isNaN(torchGemm) ? nd4jGemm : Math.max(nd4jGemm, torchGemm);
    System.out.printf(Locale.ROOT, "GEMM probe, fp32, the model's shapes at seq %d: ND4J %.0f GFLOP/s, PyTorch %s "
        + "GFLOP/s%n", seq, nd4jGemm, Double.isNaN(torchGemm) ? "-" : String.format(Locale.ROOT, "%.0f", torchGemm));
    System.out.printf("%-5s %10s %13s %7s %10s %9s %22s %22s%n", "seq", "DL4J ex/s", "PyTorch ex/s", "ratio",
        "ORT ex/s", "vs ORT", "DL4J GFLOP/s (% peak)", "PyTorch GFLOP/s (% peak)");
    System.out.printf(Locale.ROOT, "%-5d %10.1f %13s %7s %10.1f %9s %22s %22s%n", seq, d,
        torch.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", t),
        torch.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2fx", d / t), o,
        String.format(Locale.ROOT, "%.2fx", d / o),
        String.format(Locale.ROOT, "%.0f (%.0f %%)", d * flops / 1e9, 100 * d * flops / 1e9 / peak),
        torch.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f (%.0f %%)", t * flops / 1e9,
            100 * t * flops / 1e9 / peak));
    System.out.printf("      repetitions, ex/s: DL4J %s; PyTorch %s; ORT %s%n", Machine.joined(dl4j),
        Machine.joined(torch), Machine.joined(ort));
    return String.format(Locale.ROOT, "{\"seq\":%d,\"batch\":%d,\"threads\":%d,\"reps\":%d,\"iterations_per_rep\":%d,"
        + "\"machine\":\"%s\",\"dl4j_examples_per_sec\":%.2f,\"dl4j_reps\":[%s],\"torch_examples_per_sec\":%s,"
        + "\"torch_reps\":[%s],\"ratio\":%s,\"ort_examples_per_sec\":%.2f,\"ort_reps\":[%s],\"ratio_vs_ort\":%.3f,"
        + "\"gflop_per_example\":%.3f,\"gemm_probe_gflops_nd4j\":%.1f,\"gemm_probe_gflops_torch\":%s}", seq, BATCH,
        threads, reps, iterations, Machine.describe(), d, Machine.joined(dl4j), TrainBench.json(t),
        Machine.joined(torch), TrainBench.json(d / t), o, Machine.joined(ort), d / o, flops / 1e9, nd4jGemm,
        TrainBench.json(torchGemm));
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

  /** Examples/s of {@code iterations} forward passes. */
  static double dl4j(ComputationGraph graph, long[][] ids, int iterations) {
    INDArray input = Nd4j.createFromArray(ids).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    INDArray mask = Nd4j.onesLike(input);
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      ReusedActivations.output(graph, new INDArray[] {input}, new INDArray[] {mask});
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
      long start = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        session.run(inputs).close();
      }
      return BATCH * iterations / ((System.nanoTime() - start) / 1e9);
    }
  }
}
