package org.sparkpeft.job.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.service.TrainingService;
import org.sparkpeft.job.spark.SparkSessions;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.auto.AutoPlan;
import org.sparkpeft.models.peft.auto.Budget;
import org.sparkpeft.models.peft.auto.ParamGroup;
import org.sparkpeft.models.peft.auto.Planner;

/**
 * {@code bin/sparkpeft bench select [result.json] [datasets=a,b] [budgets=0.1%,0.5%] [methods=m,n] [set=KEY=VALUE ...]
 * [random-seeds=42,43] [root=DIR]}: method {@code auto} against fixed recipes at equal encoder budgets on the quality
 * benchmark's corpora, every other key at its default, or as {@code set=} gives it for every run (e.g. {@code set=train.epochs=1
 * set=train.max-length=64} for a shorter comparison: the same for every method).
 * Per corpus (prepared as {@code bench quality} does, into {@code <root>/<name>/data}, reused when its
 * {@code _SUCCESS} is there) and budget B: {@code auto} (budget B), LoRA on query,value with the rank whose size is
 * nearest B (at least 1), and a random plan of B ({@link Planner#random} with each seed of {@code random-seeds},
 * 42 unless given, trained through {@code method.options.plan}; one random draw is a noisy reference, so several
 * seeds show its spread); once per corpus BitFit (its fixed size) and head-only (no encoder parameter).
 * {@code methods=} runs only the named rows (head, bitfit, auto, lora, random). Reports encoder parameters trained,
 * validation and test macro-F1, test accuracy and minutes of each run. A benchmark, not a test.
 */
public final class SelectBench {

  static final List<String> BUDGETS = List.of("0.1%", "0.5%");
  static final List<String> METHODS = List.of("head", "bitfit", "auto", "lora", "random");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SelectBench() {}

  public static void main(String[] args) throws IOException {
    Path json = null;
    List<String> datasets = QualityBench.DATASETS;
    List<String> budgets = BUDGETS;
    List<String> methods = METHODS;
    List<String> common = new ArrayList<>();
    List<Long> randomSeeds = List.of(42L);
    Path root = Path.of("sparkpeft-bench", "select");
    for (String arg : args) {
      if (arg.startsWith("datasets=")) {
        datasets = list(arg.substring("datasets=".length()));
        for (String d : datasets) {
          if (!QualityBench.DATASETS.contains(d)) {
            throw new UserError("bench select: unknown dataset '" + d + "'; use "
                + String.join(", ", QualityBench.DATASETS) + ".");
          }
        }
      } else if (arg.startsWith("budgets=")) {
        budgets = list(arg.substring("budgets=".length()));
        budgets.forEach(Budget::new);
      } else if (arg.startsWith("methods=")) {
        methods = list(arg.substring("methods=".length()));
        for (String m : methods) {
          if (!METHODS.contains(m)) {
            throw new UserError("bench select: unknown method '" + m + "'; use " + String.join(", ", METHODS) + ".");
          }
        }
      } else if (arg.startsWith("set=")) {
        String setting = arg.substring("set=".length());
        if (!setting.contains("=") || setting.startsWith("method.") || setting.startsWith("data=")
            || setting.startsWith("output.")) {
          throw new UserError("bench select: '" + arg + "' must be set=KEY=VALUE with a training key other than "
              + "data, output.* and method.* (the bench sets those per run).");
        }
        common.add(setting);
      } else if (arg.startsWith("random-seeds=")) {
        try {
          randomSeeds = list(arg.substring("random-seeds=".length())).stream().map(Long::parseLong).toList();
        } catch (NumberFormatException e) {
          throw new UserError("bench select: '" + arg + "' must list whole numbers, e.g. random-seeds=42,43,44.");
        }
        if (randomSeeds.isEmpty()) {
          throw new UserError("bench select: '" + arg + "' names no seed; e.g. random-seeds=42,43,44.");
        }
      } else if (arg.startsWith("root=")) {
        root = Path.of(arg.substring("root=".length()));
      } else if (arg.endsWith(".json")) {
        json = Path.of(arg);
      } else {
        throw new UserError("bench select: '" + arg + "' is not result.json, datasets=a,b, budgets=B,B, methods=m,n, "
            + "set=KEY=VALUE, random-seeds=S,S or root=DIR.");
      }
    }
    root = root.toAbsolutePath();
    Path home = Path.of(System.getProperty("sparkpeft.home", ".")).toAbsolutePath();
    BaseModel base = BaseModel.defaultModel();
    ComputationGraph encoder = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    List<Map<String, Object>> rows = new ArrayList<>();
    System.out.println("bench select: every run with " + (common.isEmpty() ? "every key at its default"
        : String.join(" ", common) + ", every other key at its default"));
    Runs runs = new Runs(root, common, methods);
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft bench select")) {
      for (String name : datasets) {
        Path dataDir = root.resolve(name).resolve("data");
        String data = dataDir.toUri().toString();
        if (!Files.exists(dataDir.resolve("_SUCCESS"))) {
          QualityBench.prepare(spark, home, name, data);
        }
        runs.add(rows, spark, name, data, "head", "-", List.of());
        runs.add(rows, spark, name, data, "bitfit", "-", List.of());
        print(rows);
        for (String budget : budgets) {
          long count = new Budget(budget).of(encoder.numParams());
          runs.add(rows, spark, name, data, "auto", budget, List.of("method.options.budget=" + budget));
          int perRank = base.config().layers() * 2 * 2 * base.config().hidden();
          int r = (int) Math.max(1, Math.round((double) count / perRank));
          runs.add(rows, spark, name, data, "lora", budget, List.of("method.options.r=" + r,
              "method.options.lora_alpha=" + 2 * r, "method.options.target_modules=query,value"));
          if (!methods.contains("random")) {
            print(rows);
            continue;
          }
          for (long seed : randomSeeds) {
            AutoPlan random = Planner.random(ParamGroup.of(encoder.getConfiguration()), count, encoder.numParams(),
                java.util.Set.of(), seed);
            String row = randomRow(seed);
            Path plan = root.resolve(name).resolve(row + "-" + budget.replace("%", "pct") + ".json");
            Files.createDirectories(plan.getParent());
            Files.writeString(plan, random.toPrettyJson(), StandardCharsets.UTF_8);
            runs.add(rows, spark, name, data, row, budget, List.of("method.options.budget=" + budget,
                "method.options.plan=" + plan));
          }
          print(rows);
        }
      }
    }
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), rows);
      System.out.println("wrote " + json.toAbsolutePath());
    }
  }

  /** The row of the random plan drawn with this seed: {@code random} for the default 42 (the older runs' name). */
  static String randomRow(long seed) {
    return seed == 42 ? "random" : "random" + seed;
  }

  private static boolean isRandom(String row) {
    return row.startsWith("random");
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** The runs the command line asked for: where they write, the settings common to all, the rows wanted. */
  private record Runs(Path root, List<String> common, List<String> methods) {

    void add(List<Map<String, Object>> rows, SparkSession spark, String name, String data, String row, String budget,
             List<String> settings) throws IOException {
      if (methods.contains(isRandom(row) ? "random" : row)) {
        List<String> all = new ArrayList<>(common);
        all.addAll(settings);
        rows.add(train(spark, root, name, data, row, budget, all));
      }
    }
  }

  /** One training run; {@code row} is the table's method (random: method auto with a random plan). */
  private static Map<String, Object> train(SparkSession spark, Path root, String name, String data, String row,
                                           String budget, List<String> settings) throws IOException {
    String method = isRandom(row) ? "auto" : row;
    String label = (isRandom(row) ? "auto-" + row : row)
        + ("-".equals(budget) ? "" : "-" + budget.replace("%", "pct"));
    Path out = root.resolve(name).resolve(label);
    List<String> all = new ArrayList<>(List.of("data=" + data, "method.type=" + method,
        "output.path=" + out.toUri(), "output.overwrite=true", "baseline.enabled=false"));
    all.addAll(settings);
    TrainConfig config = TrainConfigLoader.load(null, all);
    System.out.printf(Locale.ROOT, "%n== %s: train %s (budget %s; %s) -> %s%n", name,
        isRandom(row) ? "auto with a random plan" : method, budget, String.join(" ", settings), out);
    long start = System.nanoTime();
    new TrainingService(spark).trainAndWrite(config);
    double minutes = (System.nanoTime() - start) / 6e10;
    String metrics = Files.readString(out.resolve("metrics.json"), StandardCharsets.UTF_8);
    QualityScores scores = QualityScores.fromMetricsJson(metrics);
    JsonNode tree = JSON.readTree(metrics);
    long head = 0;
    for (JsonNode g : tree.path("parameter_groups")) {
      if (g.path("name").asText().startsWith("classifier")) {
        head += g.path("trainable").asLong();
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("dataset", name);
    result.put("method", row);
    result.put("budget", budget);
    result.put("encoder_params", tree.path("trainable_params").asLong() - head);
    result.put("val_macro_f1", scores.bestValMacroF1());
    result.put("test_accuracy", scores.testAccuracy());
    result.put("test_macro_f1", scores.testMacroF1());
    result.put("minutes", minutes);
    result.put("settings", settings);
    return result;
  }

  static void print(List<Map<String, Object>> rows) {
    System.out.printf(Locale.ROOT, "%n%-13s %-9s %-6s %12s %9s %9s %9s %8s%n", "dataset", "method", "budget",
        "encoder par.", "val F1", "test acc", "test F1", "minutes");
    for (Map<String, Object> r : rows) {
      System.out.printf(Locale.ROOT, "%-13s %-9s %-6s %,12d %9.3f %9.3f %9.3f %8.1f%n", r.get("dataset"),
          r.get("method"), r.get("budget"), (Long) r.get("encoder_params"), (Double) r.get("val_macro_f1"),
          (Double) r.get("test_accuracy"), (Double) r.get("test_macro_f1"), (Double) r.get("minutes"));
    }
  }
}
