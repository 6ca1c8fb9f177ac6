package org.sparkpeft.models.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
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
 * Training benchmark (not a test): the recipe of DESIGN.md "Performance targets" — all-MiniLM-L6-v2, LoRA r=8 on
 * query and value + linear head, AdamW, batch 32, 2 native threads, one JVM — at sequence 128 and 64, as examples
 * per second of optimizer steps. Each row also shows PyTorch 1.13's rate for the same recipe on this machine, as
 * DESIGN.md records it (PyTorch is not on the build's classpath), and the ratio.
 *
 * Run it with {@code bin/sparkpeft bench train [steps] [result.json]}.
 */
public final class TrainBench {

  private static final int BATCH = 32;
  /** PyTorch 1.13 eager, 2 threads, same recipe (DESIGN.md "Performance targets", measured 2026-11-24). */
  private static final Map<Integer, Double> PYTORCH = Map.of(128, 12.0, 64, 27.0);

  private TrainBench() {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    Path json = Path.of(args.length > 1 ? args[1] : "target/train-bench.json");
    int threads = Integer.getInteger("sparkpeft.bench.threads", 2);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    System.out.printf("MiniLM LoRA training (r=8, query+value, + head; AdamW), batch %d, %d steps, %d native "
        + "threads%n", BATCH, steps, threads);
    System.out.printf("%-6s %14s %18s %8s%n", "seq", "DL4J ex/s", "PyTorch 1.13 ex/s", "ratio");
    List<String> rows = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), 512)) {
      for (int seq : new int[] {128, 64}) {
        TokenBatch batch = batch(tokenizer, seq);
        PeftModel model = PeftMethods.create(encoder, PeftMethods.parse("lora",
            Map.of("r", "8", "lora_alpha", "16", "target_modules", "query,value"), HeadConfig.linear(2)),
            Optimization.adamW(1e-3, 0.01));
        List<TokenBatch> warmUp = List.of(batch, batch);
        FineTuning.fit(model, warmUp, FitOptions.epochs(1), FineTuning.StepListener.NONE);
        List<TokenBatch> timed = java.util.Collections.nCopies(steps, batch);
        long start = System.nanoTime();
        FineTuning.fit(model, timed, FitOptions.epochs(1), FineTuning.StepListener.NONE);
        double rate = BATCH * steps / ((System.nanoTime() - start) / 1e9);
        double reference = PYTORCH.get(seq);
        System.out.printf(Locale.ROOT, "%-6d %14.1f %18.1f %8.2f%n", seq, rate, reference, rate / reference);
        rows.add(String.format(Locale.ROOT, "{\"seq\":%d,\"batch\":%d,\"threads\":%d,\"dl4j_examples_per_sec\":%.2f,"
            + "\"pytorch_reference_examples_per_sec\":%.1f,\"ratio\":%.3f}", seq, BATCH, threads, rate, reference,
            rate / reference));
      }
    }
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, "[" + String.join(",", rows) + "]", StandardCharsets.UTF_8);
  }

  /** {@link #BATCH} rows of real text, exactly {@code seq} tokens each, alternating labels. */
  private static TokenBatch batch(TextTokenizer tokenizer, int seq) {
    long[][] ids = InferenceBench.tokens(tokenizer, seq);
    int[][] rows = new int[ids.length][];
    int[] labels = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      rows[i] = java.util.Arrays.stream(ids[i]).mapToInt(id -> (int) id).toArray();
      labels[i] = i % 2;
    }
    return new TokenBatch(rows, labels);
  }
}
