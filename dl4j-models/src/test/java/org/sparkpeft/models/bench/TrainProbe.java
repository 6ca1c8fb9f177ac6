package org.sparkpeft.models.bench;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.javacpp.Loader;
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
 * A probe (not a test, not the bench): one JVM, {@link TrainBench}'s LoRA recipe, one line per sequence length
 * (median and best step) with the native build that loaded, so native builds and step changes can be compared in interleaved JVMs:
 * {@code java ... TrainProbe LABEL STEPS SEQ...}. Prints {@code probe LABEL seq=S ex/s=R native=... blas=...}.
 */
public final class TrainProbe {

  private TrainProbe() {}

  public static void main(String[] args) throws Exception {
    String label = args[0];
    int steps = Integer.parseInt(args[1]);
    int threads = Integer.getInteger("sparkpeft.bench.threads", 2);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    String nativeLib = String.valueOf(Loader.getLoadedLibraries().get("nd4jcpu"));
    nativeLib = nativeLib.substring(nativeLib.lastIndexOf("bindings/") + 9);
    Nd4j.create(1);
    String blas = org.sparkpeft.models.nativebuild.BlasKernels.loaded() + " / "
        + org.sparkpeft.models.nativebuild.BlasKernels.describe();
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), 512)) {
      for (int i = 2; i < args.length; i++) {
        int seq = Integer.parseInt(args[i]);
        long[][] ids = InferenceBench.tokens(tokenizer, seq);
        int[][] rows = new int[ids.length][];
        int[] labels = new int[ids.length];
        for (int r = 0; r < ids.length; r++) {
          rows[r] = java.util.Arrays.stream(ids[r]).mapToInt(id -> (int) id).toArray();
          labels[r] = r % 2;
        }
        TokenBatch batch = new TokenBatch(rows, labels);
        PeftModel model = PeftMethods.create(encoder, PeftMethods.parse("lora",
            Map.of("r", "8", "lora_alpha", "16", "lora_dropout", "0.1", "target_modules", "query,value"), HeadConfig.linear(2)),
            Optimization.adamW(1e-3, 0.01));
        FineTuning.fit(model, List.of(batch, batch), FitOptions.epochs(1), FineTuning.StepListener.NONE);
        boolean profile = Boolean.getBoolean("probe.profile");
        if (profile) {
          org.nd4j.linalg.profiler.OpProfiler.getInstance().reset();
          Nd4j.getExecutioner().setProfilingConfig(org.nd4j.linalg.profiler.ProfilerConfig.builder()
              .checkElapsedTime(true).build());
          Nd4j.getExecutioner().setProfilingMode(
              org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.OPERATIONS);
        }
        int fits = Integer.getInteger("probe.fits", 0); // the bench's way: fit() calls of 10 steps, timed whole
        for (int f = 0; f < fits; f++) {
          long[] at = new long[11];
          long t0 = System.nanoTime();
          FineTuning.fit(model, Collections.nCopies(10, batch), FitOptions.epochs(1),
              (step, epoch, loss) -> at[Math.min(step, 10)] = System.nanoTime());
          long t1 = System.nanoTime();
          System.out.printf(Locale.ROOT, "fit %s seq=%d ex/s=%.1f (first step %.0f ms, steps 2-10 %.1f ex/s, after the"
              + " last step %.0f ms)%n", label, seq, 10 * rows.length / ((t1 - t0) / 1e9), (at[1] - t0) / 1e6,
              9 * rows.length / ((at[10] - at[1]) / 1e9), (t1 - at[10]) / 1e6);
        }
        long[] stamps = new long[steps + 1];
        long faults0 = minorFaults();
        stamps[0] = System.nanoTime();
        FineTuning.fit(model, Collections.nCopies(steps, batch), FitOptions.epochs(1),
            (step, epoch, loss) -> stamps[Math.min(step, steps)] = System.nanoTime());
        long elapsed = stamps[steps] - stamps[0];
        long faultsPerStep = (minorFaults() - faults0) / steps;
        double[] rates = new double[steps];
        for (int k = 0; k < steps; k++) {
          rates[k] = rows.length / ((stamps[k + 1] - stamps[k]) / 1e9);
        }
        int window = Integer.getInteger("probe.window", 0); // ex/s per window of steps: warm-up and drift
        if (window > 0) {
          StringBuilder trend = new StringBuilder();
          for (int k = 0; k + window <= steps; k += window) {
            trend.append(String.format(Locale.ROOT, " %.1f", rows.length * window / ((stamps[k + window] - stamps[k]) / 1e9)));
          }
          System.out.printf("trend %s seq=%d ex/s per %d steps:%s%n", label, seq, window, trend);
        }
        java.util.Arrays.sort(rates);
        double rate = rates[steps / 2];
        double best = rates[steps - 1];
        if (profile) {
          Nd4j.getExecutioner().setProfilingMode(
              org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.DISABLED);
          org.nd4j.linalg.profiler.OpProfiler p = org.nd4j.linalg.profiler.OpProfiler.getInstance();
          System.out.printf(Locale.ROOT, "profile seq=%d wall ms/step=%.1f ops=%d%n", seq, elapsed / 1e6 / steps,
              p.getInvocationsCount());
          System.out.println("by class:\n" + p.getClassAggergator().asString());
          System.out.println("by op and shape:\n" + p.getLongAggergator().asString());
        }
        System.out.printf(Locale.ROOT,
            "probe %s seq=%d median-ex/s=%.2f best-ex/s=%.2f minor-faults/step=%d native=%s blas=%s%n",
            label, seq, rate, best, faultsPerStep, nativeLib, blas);
      }
    }
  }

  /** Minor page faults of this process so far (field 10 of /proc/self/stat), -1 where unreadable. */
  private static long minorFaults() {
    try {
      String stat = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/self/stat")),
          java.nio.charset.StandardCharsets.US_ASCII);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[7]);
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }
}
