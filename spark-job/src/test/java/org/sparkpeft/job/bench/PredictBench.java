package org.sparkpeft.job.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.predict.PredictJob;
import org.sparkpeft.job.predict.PredictSpec;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/**
 * {@code bin/sparkpeft bench predict [rows] [result.json]}: rows/s of {@code predict} on local[2] with MiniLM, at 64
 * and 128 tokens, for one adapter, three adapters in one job (the frozen trunk below the adapted layers runs once per
 * batch) and the same three as three separate jobs. The adapters are LoRA r=8 on query and value of blocks 4 and 5
 * plus a linear head (three seeds; untrained: speed does not depend on the values). Each text is exactly as long as
 * the sequence length. A benchmark, not a test: compare ratios within one run.
 */
public final class PredictBench {

  /** DESIGN.md's PyTorch 1.13 no-grad MiniLM forward at batch 32 (2 threads, another machine, 2026-11-24). */
  private static final Map<Integer, Double> PYTORCH_REFERENCE = Map.of(128, 24.0, 64, 80.0);

  private PredictBench() {}

  public static void main(String[] args) throws IOException {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    Path json = args.length > 1 ? Path.of(args[1]) : null;
    Path work = Files.createTempDirectory("sparkpeft-predict-bench");
    SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[2]")
        .setIfMissing("spark.app.name", "sparkpeft predict bench").setIfMissing("spark.ui.enabled", "false")
        .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .set(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName());
    List<Map<String, Object>> results = new ArrayList<>();
    try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      BaseModel base = ModelLocation.defaultModel().load(hadoop);
      List<String> adapters = new ArrayList<>();
      for (int seed = 1; seed <= 3; seed++) {
        adapters.add(writeAdapter(hadoop, base, work.resolve("adapter-" + seed), seed));
      }
      System.out.printf(Locale.ROOT, "predict on %s, %d rows, batch 32; 3 adapters: LoRA r=8 on blocks 4-5 + head%n",
          spark.sparkContext().master(), rows);
      System.out.printf(Locale.ROOT, "%-5s %-28s %9s %10s %16s%n", "seq", "mode", "seconds", "rows/s",
          "adapter-rows/s");
      for (int seq : new int[] {128, 64}) {
        String input = writeInput(work.resolve("input-" + seq + ".jsonl"), rows, seq, base);
        run(spark, List.of(adapters.get(0)), input, seq, work.resolve("warmup-" + seq)); // JIT and caches
        double one = run(spark, List.of(adapters.get(0)), input, seq, work.resolve("one-" + seq));
        double together = run(spark, adapters, input, seq, work.resolve("three-" + seq));
        double separate = 0;
        for (int a = 0; a < adapters.size(); a++) {
          separate += run(spark, List.of(adapters.get(a)), input, seq, work.resolve("separate-" + seq + "-" + a));
        }
        print(results, seq, "1 adapter", rows, 1, one);
        print(results, seq, "3 adapters, one job", rows, 3, together);
        print(results, seq, "3 adapters, 3 separate jobs", rows, 3, separate);
        System.out.printf(Locale.ROOT, "%-5d 3 in one job / 3 jobs: %.2fx the time; PyTorch no-grad forward "
            + "(DESIGN.md, another machine, model only): %.0f rows/s%n", seq, together / separate,
            PYTORCH_REFERENCE.get(seq));
      }
    }
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
    }
  }

  private static double run(SparkSession spark, List<String> adapters, String input, int seq, Path output) {
    PredictSpec spec = new PredictSpec(adapters, input, "jsonl", "text", "id", output.toUri().toString(), "parquet",
        ModelLocation.defaultModel(), seq, "head", 32, false, true);
    return PredictJob.run(spark, spec).seconds();
  }

  private static void print(List<Map<String, Object>> results, int seq, String mode, int rows, int adapters,
                            double seconds) {
    System.out.printf(Locale.ROOT, "%-5d %-28s %9.1f %10.1f %16.1f%n", seq, mode, seconds, rows / seconds,
        rows * adapters / seconds);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("seq", seq);
    r.put("mode", mode);
    r.put("rows", rows);
    r.put("adapters", adapters);
    r.put("seconds", seconds);
    r.put("rows_per_s", rows / seconds);
    results.add(r);
  }

  /** An untrained LoRA adapter (blocks 4 and 5, r=8) with a random head, written as train would write it. */
  private static String writeAdapter(Configuration hadoop, BaseModel base, Path dir, long seed) throws IOException {
    Map<String, String> options = Map.of("r", "8", "target_modules", "query,value", "layers_to_transform", "4,5");
    PeftConfig config = PeftMethods.parse("lora", options, new HeadConfig(2, 0, 0.1));
    ComputationGraph graph = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(seed);
    PeftModel model = PeftMethods.create(graph, config, Optimization.adamW(1e-3, 0));
    AdapterInfo info = new AdapterInfo("lora", options, 0, 0.1, List.of("a", "b"), base.id(), base.fingerprint(),
        base.id(), sha256(base.tokenizerJson()), Map.of());
    AdapterStore.write(hadoop, new org.apache.hadoop.fs.Path(dir.toUri()), AdapterFiles.save(model, info));
    return dir.toUri().toString();
  }

  /** {@code rows} texts of random words that tokenize to at least {@code seq} tokens (truncated to it). */
  private static String writeInput(Path file, int rows, int seq, BaseModel base) throws IOException {
    String[] words = {"refund", "invoice", "crash", "login", "password", "billing", "update", "screen", "order",
        "account", "error", "payment", "delivery", "support", "version", "android", "settings", "charged"};
    Random random = new Random(seq);
    ObjectMapper mapper = new ObjectMapper();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < seq + 8; w++) {
        text.append(words[random.nextInt(words.length)]).append(' ');
      }
      out.append(mapper.writeValueAsString(Map.of("id", "r" + i, "text", text.toString().strip()))).append('\n');
    }
    Files.writeString(file, out, StandardCharsets.UTF_8);
    return file.toUri().toString();
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
