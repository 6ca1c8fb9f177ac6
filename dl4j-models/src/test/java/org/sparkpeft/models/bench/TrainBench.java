package org.sparkpeft.models.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.FitOptions;
import org.sparkpeft.models.train.TokenBatch;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * Training benchmark (not a test): the recipe of DESIGN.md "Performance targets" — all-MiniLM-L6-v2, LoRA r=8
 * alpha 16 dropout 0.1 on query and value + linear head, AdamW, batch 32, 2 native threads — at sequence 128 and 64,
 * against PyTorch running the same recipe on the same weights and token ids in this invocation
 * ({@code bench/pytorch_minilm.py}). Repetitions alternate DL4J and PyTorch; the table shows medians, their ratio,
 * the FLOP rate each reached against an fp32 GEMM probe of the model's shapes measured by both in the same
 * window, and a per-op breakdown of one training step.
 *
 * <p>Examples/s here is the training log's "train examples/s": optimizer steps (forward, backward, update) over
 * their wall time, excluding validation, data loading and Spark scheduling.
 *
 * <p>Run it with {@code bin/sparkpeft bench train [steps-per-rep] [result.json] [reps]}.
 */
public final class TrainBench {

  private static final int BATCH = 32;
  /** Untimed steps per side before the timed repetitions (at least one repetition's steps). */
  static final int WARM_UP_STEPS = Integer.getInteger("sparkpeft.bench.warmup-steps", 40);
  private static final int PROFILED_STEPS = 2;

  private TrainBench() {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path json = Path.of(args.length > 1 ? args[1] : "target/train-bench.json");
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int threads = Integer.getInteger("sparkpeft.bench.threads", 2);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    System.out.printf("MiniLM LoRA training (r=8 alpha 16 dropout 0.1, query+value, + linear head; AdamW), batch %d, "
        + "%d threads; %d alternating repetitions of %d steps per side, after %d untimed steps each%n", BATCH,
        threads, reps, steps, Math.max(WARM_UP_STEPS, steps));
    System.out.println("machine: " + Machine.describe());
    System.out.println("examples/s = train examples/s: optimizer steps (forward+backward+update) over their wall "
        + "time; GFLOP/s counts 2x the forward GEMM FLOPs per example (no frozen weight gradients)");
    Path dir = Files.createTempDirectory("sparkpeft-bench");
    List<String> rows = new ArrayList<>();
    TorchReference torch = null;
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), 512)) {
      for (int seq : Machine.seqs()) {
        long[][] ids = InferenceBench.tokens(tokenizer, seq);
        TokenBatch batch = batch(ids);
        PeftModel model = model(encoder);
        if (torch == null) {
          torch = TorchReference.start(BenchFiles.weights(base.weights(), model.graph(), dir), threads);
        }
        String check = "";
        JsonNode setup = torch == null ? null : torch.setup(seq, BenchFiles.tokens(ids, dir));
        if (rows.isEmpty()) {
          System.out.println(TorchReference.blasLine(setup));
        }
        if (torch != null) {
          if (rows.isEmpty()) {
            check = firstForwardCheck(model, batch, torch, seq); // both sides still hold their initial weights
          }
        }
        List<long[]> shapes = Machine.gemmShapes(base.config(), BATCH, seq);
        double nd4jGemm = Machine.nd4jGemm(shapes, 3);
        double torchGemm = torch == null ? Double.NaN : torch.gemm(shapes, 3);
        // untimed steps per side first, the same number for both: the JVM's JIT and heap settle over the first
        // tens of steps (seq 64, 10 untimed steps: DL4J's next three repetitions ran 46-48 ex/s, the four after
        // them 54-65), PyTorch's allocator over the first few; what is timed is the steady state a training job
        // of hundreds of steps runs in
        int warmUp = Math.max(WARM_UP_STEPS, steps);
        fit(model, batch, warmUp);
        if (torch != null) {
          torch.train(seq, warmUp);
        }
        List<Double> dl4j = new ArrayList<>();
        List<Double> ref = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
          long start = System.nanoTime();
          fit(model, batch, steps);
          dl4j.add(BATCH * steps / ((System.nanoTime() - start) / 1e9));
          if (torch != null) {
            ref.add(torch.train(seq, steps));
          }
        }
        double flops = 2 * Machine.forwardFlops(base.config(), seq);
        rows.add(row(seq, threads, reps, steps, dl4j, ref, flops, nd4jGemm, torchGemm, check));
        Map<String, Double> ours = OpBreakdown.dl4j(model, batch, PROFILED_STEPS);
        Map<String, Double> theirs = torch == null ? null : OpBreakdown.torch(torch.profile(seq, PROFILED_STEPS));
        String last = rows.remove(rows.size() - 1);
        rows.add(last.substring(0, last.length() - 1) + ",\"breakdown_ms_per_step\":"
            + OpBreakdown.print(seq, ours, theirs) + "}");
      }
    } finally {
      if (torch != null) {
        torch.close();
      }
    }
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, "[" + String.join(",", rows) + "]", StandardCharsets.UTF_8);
    System.out.println("wrote " + json);
  }

  private static PeftModel model(ComputationGraph encoder) {
    return PeftMethods.create(encoder, PeftMethods.parse("lora", Map.of("r", "8", "lora_alpha", "16",
        "lora_dropout", "0.1", "target_modules", "query,value"), HeadConfig.linear(2)),
        Optimization.adamW(1e-3, 0.01));
  }

  private static void fit(PeftModel model, TokenBatch batch, int steps) {
    FineTuning.fit(model, Collections.nCopies(steps, batch), FitOptions.epochs(1), FineTuning.StepListener.NONE);
  }

  /** Prints and returns the largest difference of the two sides' first-forward probabilities (no dropout). */
  private static String firstForwardCheck(PeftModel model, TokenBatch batch, TorchReference torch, int seq)
      throws java.io.IOException {
    double[][] ours = FineTuning.predict(model, batch).toDoubleMatrix();
    double[][] theirs = torch.probabilities(seq);
    double max = 0;
    for (int i = 0; i < ours.length; i++) {
      for (int j = 0; j < ours[i].length; j++) {
        max = Math.max(max, Math.abs(ours[i][j] - theirs[i][j]));
      }
    }
    System.out.printf(Locale.ROOT, "same work: first forward at seq %d, largest |p(DL4J) - p(PyTorch)| over %d x %d "
        + "probabilities = %.2e%n", seq, ours.length, ours[0].length, max);
    return String.format(Locale.ROOT, ",\"first_forward_max_abs_prob_diff\":%.3e", max);
  }

  private static String row(int seq, int threads, int reps, int steps, List<Double> dl4j, List<Double> torch,
                            double flops, double nd4jGemm, double torchGemm, String check) {
    double d = Machine.median(dl4j);
    double t = torch.isEmpty() ? Double.NaN : Machine.median(torch);
    double peak = Double.isNaN(torchGemm) ? nd4jGemm : Math.max(nd4jGemm, torchGemm);
    System.out.printf(Locale.ROOT, "GEMM probe, fp32, the model's shapes at seq %d: ND4J %.0f GFLOP/s, PyTorch %s "
        + "GFLOP/s%n", seq, nd4jGemm, Double.isNaN(torchGemm) ? "-" : String.format(Locale.ROOT, "%.0f", torchGemm));
    System.out.printf("%-5s %12s %14s %7s %22s %22s%n", "seq", "DL4J ex/s", "PyTorch ex/s", "ratio",
        "DL4J GFLOP/s (% peak)", "PyTorch GFLOP/s (% peak)");
    System.out.printf(Locale.ROOT, "%-5d %12.1f %14s %7s %22s %22s%n", seq, d,
        torch.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", t),
        torch.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2fx", d / t),
        String.format(Locale.ROOT, "%.0f (%.0f %%)", d * flops / 1e9, 100 * d * flops / 1e9 / peak),
        torch.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f (%.0f %%)", t * flops / 1e9,
            100 * t * flops / 1e9 / peak));
    System.out.printf("      repetitions, ex/s: DL4J %s; PyTorch %s%n", Machine.joined(dl4j), Machine.joined(torch));
    return String.format(Locale.ROOT, "{\"seq\":%d,\"batch\":%d,\"threads\":%d,\"reps\":%d,\"steps_per_rep\":%d,"
        + "\"machine\":\"%s\",\"dl4j_examples_per_sec\":%.2f,\"dl4j_reps\":[%s],\"torch_examples_per_sec\":%s,"
        + "\"torch_reps\":[%s],\"ratio\":%s,\"gflop_per_example\":%.3f,\"gemm_probe_gflops_nd4j\":%.1f,"
        + "\"gemm_probe_gflops_torch\":%s%s}", seq, BATCH, threads, reps, steps,
        Machine.describe(), d, Machine.joined(dl4j), json(t), Machine.joined(torch), json(d / t), flops / 1e9,
        nd4jGemm, json(torchGemm), check);
  }

  static String json(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
  }

  /** {@link #BATCH} rows of real text, exactly {@code seq} tokens each, alternating labels. */
  private static TokenBatch batch(long[][] ids) {
    int[][] rows = new int[ids.length][];
    int[] labels = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      rows[i] = java.util.Arrays.stream(ids[i]).mapToInt(id -> (int) id).toArray();
      labels[i] = i % 2;
    }
    return new TokenBatch(rows, labels);
  }
}
