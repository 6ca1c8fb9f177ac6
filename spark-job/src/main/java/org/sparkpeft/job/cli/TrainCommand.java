package org.sparkpeft.job.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.DataPrepException;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.config.OutputSpec;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.job.report.MetricsJson;
import org.sparkpeft.job.report.ReportHtml;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.SparkSessions;
import org.sparkpeft.job.train.AdapterTrainer;
import org.sparkpeft.job.train.Checkpoints;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;

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

  @Option(names = "--format", paramLabel = "FORMAT", description = "With --input: csv | jsonl | parquet | textdir | email.")
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

  /** What a run wrote: its report, the output folder, and the adapter's size in bytes (both files). */
  public record Written(TrainingReport report, String output, long adapterBytes) {}

  /** Trains on prepared data, writes the output folder atomically and prints the summary; exit code 0. */
  public int run(SparkSession spark, TrainConfig train) {
    return run(spark, train, null);
  }

  private int run(SparkSession spark, TrainConfig train, RawInput raw) {
    Written written = trainAndWrite(spark, train, raw);
    print(written);
    return 0;
  }

  /** Trains on prepared data and writes the output folder atomically; prints nothing but the job's log. */
  public Written trainAndWrite(SparkSession spark, TrainConfig train) {
    return trainAndWrite(spark, train, null);
  }

  /**
   * Prepares {@code raw} (when not null; it ends up in {@code <output>/prepared}), trains on it — checkpointing to
   * and resuming from {@code .<output name>.checkpoints} beside the output — and writes the output atomically.
   */
  public Written trainAndWrite(SparkSession spark, TrainConfig train, RawInput raw) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path checkpointDir = Checkpoints.beside(train.output().path());
    // raw data is prepared beside the output (a stable path, so a re-run resumes the same job's checkpoints) and
    // moved into it before the commit; the output's lock, taken here, keeps a second job out of both folders
    Path prepared = beside(train.output().path(), ".prepared");
    AtomicOutput target;
    try {
      target = AtomicOutput.begin(hadoop, new OutputSpec(train.output().path(), train.output().overwrite()));
    } catch (DataPrepException e) {
      throw new UserError(e.getMessage(), e);
    }
    try {
      TrainConfig job = raw == null ? train : raw.prepare(spark, train, prepared.toString());
      AdapterTrainer.Outcome outcome = new AdapterTrainer(spark, job,
          train.train().checkpointEveryRounds() > 0 ? checkpointDir : null).run();
      TrainingReport report = raw == null ? outcome.report()
          : outcome.report().withConfig("data", new Path(target.target(), "prepared").toString())
              .withConfig("input", raw.description());
      AdapterFiles.Files adapter = AdapterFiles.save(outcome.model(), adapterInfo(train, outcome));
      write(hadoop, new Path(target.temp(), "adapter/" + AdapterFiles.CONFIG), adapter.config());
      write(hadoop, new Path(target.temp(), "adapter/" + AdapterFiles.WEIGHTS), adapter.weights());
      write(hadoop, new Path(target.temp(), "metrics.json"), MetricsJson.write(report));
      write(hadoop, new Path(target.temp(), "report.html"), ReportHtml.write(report));
      if (raw != null) {
        FileSystem fs = prepared.getFileSystem(hadoop);
        if (!fs.rename(prepared, new Path(target.temp(), "prepared"))) {
          throw new IOException("the prepared data " + prepared + " could not be moved into the output");
        }
      }
      target.commit(); // writes _SUCCESS, the listing of the files above
      new Checkpoints(hadoop, checkpointDir).delete();
      return new Written(report, target.target().toString(),
          (long) adapter.config().length + adapter.weights().length);
    } catch (IOException | RuntimeException e) {
      target.abort();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("writing " + train.output().path() + " failed: " + e.getMessage(), e);
    }
  }

  private static final String PREPARE_PREFIX = "prepare.";

  /** {@code <parent>/.<name><suffix>}: a hidden sibling of the output (Hadoop and Spark readers skip it). */
  private static Path beside(String output, String suffix) {
    Path target = new Path(output);
    return new Path(target.getParent(), "." + target.getName() + suffix);
  }

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

  /**
   * Raw data given to train: the prepare job's config for a given output folder. {@code train --input} builds it
   * from flags and {@code prepare.<key>} settings; the demo from the default corpus.
   */
  @FunctionalInterface
  public interface RawInput {

    /** The prepare config writing to {@code outputPath}; a {@link UserError} naming the key when invalid. */
    PrepareConfig config(String outputPath);

    /** What the raw data is, for the run's config record. */
    default String description() {
      PrepareConfig config = config("file:/tmp/sparkpeft-describe");
      return config.source().path() + " (" + config.source().format().name().toLowerCase(Locale.ROOT)
          + ", max length " + config.tokenize().maxLength() + ", split seed " + config.split().seed() + ")";
    }

    /** Checks the settings before Spark starts. */
    default void validate() {
      config("file:/tmp/sparkpeft-validate");
    }

    /** Prepares the raw data into {@code outputPath} and returns {@code train} reading from there. */
    default TrainConfig prepare(SparkSession spark, TrainConfig train, String outputPath) {
      try {
        PrepareResult result = PrepareJob.run(spark, config(outputPath));
        System.out.print(result.summary());
      } catch (DataPrepException e) {
        throw new UserError(e.getMessage(), e);
      }
      return new TrainConfig(outputPath, train.model(), train.methodType(), train.methodOptions(), train.head(),
          train.optimizer(), train.train(), train.eval(), train.output());
    }

    /** From prepare's {@code key=value} settings (which must include input.path). */
    static RawInput of(List<String> settings) {
      return outputPath -> {
        List<String> all = new ArrayList<>(settings);
        all.add("output.path=" + outputPath);
        all.add("output.overwrite=true");
        try {
          return ConfigLoader.load(null, all, c -> {
            throw new UserError("--input is required to prepare raw data.");
          });
        } catch (DataPrepException e) {
          throw new UserError(e.getMessage(), e);
        }
      };
    }
  }

  private static void write(Configuration conf, Path path, String text) throws IOException {
    write(conf, path, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Configuration conf, Path path, byte[] bytes) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    try (OutputStream out = fs.create(path, true)) {
      out.write(bytes);
    }
  }

  private static AdapterInfo adapterInfo(TrainConfig train, AdapterTrainer.Outcome outcome) {
    TrainingReport r = outcome.report();
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put("rounds", Integer.toString(r.rounds()));
    summary.put("epochs", Integer.toString(r.epochs()));
    if (r.test() != null) {
      summary.put("test_accuracy", Double.toString(r.test().accuracy()));
      summary.put("test_macro_f1", Double.toString(r.test().macroF1()));
    }
    return new AdapterInfo(train.methodType(), train.methodOptions(), train.head().hidden(), train.head().dropout(),
        outcome.labels(), r.baseModelId(), r.baseModelSha256(), outcome.tokenizerId(), outcome.tokenizerSha256(),
        summary);
  }

  private static void print(Written written) {
    TrainingReport r = written.report();
    String output = written.output();
    System.out.printf(Locale.ROOT, "%ntrained %s on %s -> %s%n", r.method(), r.baseModelId(), output);
    System.out.printf(Locale.ROOT, "  %-28s %s%n", "test accuracy", r.test() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.test().accuracy()));
    System.out.printf(Locale.ROOT, "  %-28s %s%n", "test macro-F1", r.test() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.test().macroF1()));
    System.out.printf(Locale.ROOT, "  %-28s %,d of %,d (%.3f %%)%n", "trainable parameters", r.trainableParams(),
        r.totalParams(), r.trainablePercent());
    System.out.printf(Locale.ROOT, "  %-28s %,d broadcast + %,d collected (stock DL4J averaging: %,d)%n",
        "bytes per round", r.train().bytesPerRoundBroadcast(), r.train().bytesPerRoundCollected(),
        r.train().stockBytesPerRound());
    System.out.printf(Locale.ROOT, "  %-28s %d rounds, %.1f examples/s, %.0f s%n", "training", r.rounds(),
        r.train().examplesPerSec(), r.wallSeconds());
    System.out.printf(Locale.ROOT, "  %-28s %s/adapter (adapter_config.json + adapter_model.safetensors, %,d bytes)%n",
        "adapter", output, written.adapterBytes());
  }
}
