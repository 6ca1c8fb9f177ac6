package org.sparkpeft.job.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.service.RawInput;
import org.sparkpeft.job.service.TrainingService.Written;
import org.sparkpeft.job.service.TrainingService;
import org.sparkpeft.job.spark.SparkSessions;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sparkpeft train}: adapter-only parameter-averaging fine-tuning on Spark executors. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Adapter-only parameter-averaging fine-tuning on Spark executors: only the trainable parameters "
        + "and their updater state travel each round. Writes adapter/ (PEFT format), metrics.json, report.html and "
        + "_SUCCESS to --output.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "Job config (HOCON), e.g. conf/train-spamassassin-lora.conf.")
  File config;

  @Option(names = "--data", paramLabel = "PATH", description = "Prepared shards (bin/sparkpeft prepare): data.")
  String data;

  @Option(names = "--input", paramLabel = "PATH", description = "Raw data instead of --data: prepared first, in the "
      + "same job, into <output>/prepared (prepare's keys as prepare.<key>=value, e.g. prepare.split.seed=7).")
  String input;

  @Option(names = "--format", paramLabel = "FORMAT", description = "With --input: csv | jsonl | parquet | textdir "
      + "| email | records (a TSV: csv with prepare.input.csv.delimiter=\\t).")
  String format;

  @Option(names = "--text-col", paramLabel = "NAME", description = "With --input: the text column (default text).")
  String textCol;

  @Option(names = "--label-col", paramLabel = "NAME", description = "With --input: the label column (default label).")
  String labelCol;

  @Option(names = "--max-length", paramLabel = "N", description = "With --input: tokens per row (default 256).")
  Integer maxLength;

  @Option(names = "--truncation", paramLabel = "head|tail|head_tail", description = "With --input: which tokens a "
      + "longer text keeps (default head).")
  String truncation;

  @Option(names = "--long-text", paramLabel = "truncate|chunk", description = "With --input: a text longer than max "
      + "length is one truncated row, or one row per window, scored per document (default truncate).")
  String longText;

  @Option(names = "--method", paramLabel = "TYPE", description = "PEFT method (head, last_n, bitfit, lora, ia3, adapter): method.type.")
  String method;

  @Option(names = "--output", paramLabel = "PATH", description = "Output folder: output.path.")
  String output;

  @Option(names = "--epochs", paramLabel = "N", description = "train.epochs.")
  Integer epochs;

  @Option(names = "--workers", paramLabel = "N", description = "Parallel workers (partitions per round): train.workers.")
  Integer workers;

  @Option(names = "--overwrite", description = "Replace an existing output: output.overwrite=true.")
  boolean overwrite;

  @Parameters(paramLabel = "KEY=VALUE", description = "Config overrides, e.g. method.options.r=16 optimizer.lr=1e-3.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    Job job = job();
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft train")) {
      return run(spark, job.config(), job.raw());
    }
  }

  /** Runs the parsed command on an existing session (notebooks, tests); exit code 0. */
  public int run(SparkSession spark) {
    Job job = job();
    return run(spark, job.config(), job.raw());
  }

  private record Job(TrainConfig config, RawInput raw) {}

  /** The validated job, before Spark starts: one sentence naming the key or flag otherwise. */
  private Job job() {
    List<String> trainSettings = new ArrayList<>();
    List<String> prepareSettings = new ArrayList<>();
    for (String setting : settings()) {
      if (setting.startsWith(PREPARE_PREFIX)) {
        prepareSettings.add(setting.substring(PREPARE_PREFIX.length()));
      } else {
        trainSettings.add(setting);
      }
    }
    RawInput raw = null;
    if (input != null) {
      if (data != null || trainSettings.stream().anyMatch(x -> x.startsWith("data="))) {
        throw new UserError("give either --data (prepared shards) or --input (raw data, prepared first), not both.");
      }
      trainSettings.add("data=<output>/prepared");
      raw = RawInput.of(rawSettings(prepareSettings));
      raw.validate();
    } else if (!prepareSettings.isEmpty()) {
      throw new UserError("prepare." + prepareSettings.get(0) + " applies only with --input (raw data).");
    }
    return new Job(TrainConfigLoader.load(config, trainSettings), raw);
  }

  /** Trains on prepared data, writes the output folder atomically and prints the summary; exit code 0. */
  public int run(SparkSession spark, TrainConfig train) {
    return run(spark, train, null);
  }

  private int run(SparkSession spark, TrainConfig train, RawInput raw) {
    Written written = new TrainingService(spark).trainAndWrite(train, raw);
    print(written);
    return 0;
  }

  private static final String PREPARE_PREFIX = "prepare.";

  private List<String> rawSettings(List<String> prepareOverrides) {
    List<String> settings = new ArrayList<>();
    settings.add("input.path=" + input);
    if (format != null) {
      settings.add("input.format=" + format);
    }
    if (textCol != null) {
      settings.add("input.text-col=" + textCol);
    }
    if (labelCol != null) {
      settings.add("input.label-col=" + labelCol);
    }
    if (maxLength != null) {
      settings.add("tokenizer.max-length=" + maxLength);
    }
    if (truncation != null) {
      settings.add("tokenizer.truncation=" + truncation);
    }
    if (longText != null) {
      settings.add("tokenizer.long-text=" + longText);
    }
    settings.addAll(prepareOverrides);
    return settings;
  }

  private List<String> settings() {
    List<String> settings = new ArrayList<>();
    if (data != null) {
      settings.add("data=" + data);
    }
    if (method != null) {
      settings.add("method.type=" + method);
    }
    if (output != null) {
      settings.add("output.path=" + output);
    }
    if (epochs != null) {
      settings.add("train.epochs=" + epochs);
    }
    if (workers != null) {
      settings.add("train.workers=" + workers);
    }
    if (overwrite) {
      settings.add("output.overwrite=true");
    }
    settings.addAll(overrides);
    return settings;
  }

  private static void print(Written written) {
    TrainingReport r = written.report();
    String output = written.output();
    System.out.printf(Locale.ROOT, "%ntrained %s on %s -> %s%n", r.method(), r.baseModelId(), output);
    BaselineResult b = r.baseline();
    System.out.printf(Locale.ROOT, "  %-28s %s%s%n", "test accuracy", r.test() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.test().accuracy()),
        b == null ? "" : String.format(Locale.ROOT, "   (TF-IDF + LR baseline %.4f)", b.accuracy()));
    System.out.printf(Locale.ROOT, "  %-28s %s%s%n", "test macro-F1", r.test() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.test().macroF1()),
        b == null ? "" : String.format(Locale.ROOT, "   (TF-IDF + LR baseline %.4f)", b.macroF1()));
    if (b != null) {
      System.out.printf(Locale.ROOT, "  %-28s %s%n", "baseline", BaselineSummary.line(r));
    }
    System.out.printf(Locale.ROOT, "  %-28s %,d of %,d (%.3f %%)%n", "trainable parameters", r.trainableParams(),
        r.totalParams(), r.trainablePercent());
    System.out.printf(Locale.ROOT, "  %-28s %,d broadcast + %,d collected (stock DL4J averaging: %,d)%n",
        "bytes per round", r.train().bytesPerRoundBroadcast(), r.train().bytesPerRoundCollected(),
        r.train().stockBytesPerRound());
    System.out.printf(Locale.ROOT, "  %-28s %d rounds, %.1f train examples/s (rounds' wall time, no "
        + "validation), %.0f s in all%n", "training", r.rounds(),
        r.train().examplesPerSec(), r.wallSeconds());
    System.out.printf(Locale.ROOT, "  %-28s %s/adapter (adapter_config.json + adapter_model.safetensors, %,d bytes)%n",
        "adapter", output, written.adapterBytes());
  }
}
