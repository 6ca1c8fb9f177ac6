package org.sparkpeft.job.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.eval.AdapterEvaluation;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.report.MetricsJson;
import org.sparkpeft.job.spark.SparkSessions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparkpeft evaluate}: scores a written adapter on a prepared split, on Spark executors. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Re-evaluate a written adapter (the adapter/ folder of a train run) on a split of prepared data: "
        + "loss, accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix, printed and optionally "
        + "written as JSON.")
public final class EvaluateCommand implements Callable<Integer> {

  @Option(names = "--adapter", required = true, paramLabel = "PATH",
      description = "Adapter folder (adapter_config.json + adapter_model.safetensors), any Hadoop URI.")
  String adapter;

  @Option(names = "--data", required = true, paramLabel = "PATH", description = "Prepared data (bin/sparkpeft prepare).")
  String data;

  @Option(names = "--split", defaultValue = "test", paramLabel = "NAME", description = "train, val or test (default ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--model", paramLabel = "PATH",
      description = "Base model folder the adapter was trained on (default: the bundled all-MiniLM-L6-v2).")
  String model;

  @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Rows per scoring batch (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--output", paramLabel = "FILE", description = "Also write the metrics as JSON to this file (any Hadoop URI).")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing --output file.")
  boolean overwrite;

  @Override
  public Integer call() {
    check();
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft evaluate")) {
      return run(spark);
    }
  }

  private void check() {
    if (!split.equals("train") && !split.equals("val") && !split.equals("test")) {
      throw new UserError("--split must be train, val or test, got '" + split + "'.");
    }
    if (batchSize < 1) {
      throw new UserError("--batch-size must be at least 1, got " + batchSize + ".");
    }
  }

  /** Evaluates, prints the metrics block, writes --output if given; exit code 0. */
  public int run(SparkSession spark) {
    check();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path target = output == null ? null : new Path(output);
    if (target != null) {
      refuseExisting(hadoop, target);
    }
    ModelLocation base = model == null ? ModelLocation.defaultModel() : new ModelLocation(model);
    AdapterEvaluation.Result result = AdapterEvaluation.run(spark, adapter, data, split, base, batchSize);
    print(result);
    if (target != null) {
      String json = MetricsJson.writeEvaluation(adapter, data, split, result.info().methodType(),
          result.info().baseModelId(), result.info().baseModelSha256(), result.metrics());
      writeAtomically(hadoop, target, json);
      System.out.println("  metrics written to " + target);
    }
    return 0;
  }

  private void refuseExisting(Configuration conf, Path target) {
    try {
      if (!overwrite && target.getFileSystem(conf).exists(target)) {
        throw new UserError("--output " + target + " exists; pass --overwrite to replace it.");
      }
    } catch (IOException e) {
      throw new UserError("--output " + target + " cannot be checked: " + e.getMessage() + ".", e);
    }
  }

  /** Writes a temp file beside {@code target}, then renames it over the target. */
  private static void writeAtomically(Configuration conf, Path target, String text) {
    Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
    try {
      FileSystem fs = target.getFileSystem(conf);
      try (OutputStream out = fs.create(temp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(temp, target)) {
        fs.delete(temp, false);
        throw new UserError("--output " + target + " could not be written (rename from " + temp + " failed).");
      }
    } catch (IOException e) {
      throw new UserError("--output " + target + " could not be written: " + e.getMessage() + ".", e);
    }
  }

  private static void print(AdapterEvaluation.Result r) {
    ClassificationMetrics m = r.metrics();
    System.out.printf(Locale.ROOT, "%nevaluated %s (%s on %s) on the %s split of %s%n", r.adapter(),
        r.info().methodType(), r.info().baseModelId(), r.split(), r.data());
    System.out.printf(Locale.ROOT, "  %-16s %,d%n", "examples", m.examples());
    System.out.printf(Locale.ROOT, "  %-16s %.4f%n", "loss", m.loss());
    System.out.printf(Locale.ROOT, "  %-16s %.4f%n", "accuracy", m.accuracy());
    System.out.printf(Locale.ROOT, "  %-16s %.4f%n", "macro-F1", m.macroF1());
    System.out.printf(Locale.ROOT, "  %-16s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1", "support");
    for (ClassificationMetrics.PerClass c : m.perClass()) {
      System.out.printf(Locale.ROOT, "  %-16s %9.4f %9.4f %9.4f %,9d%n", c.label(), c.precision(), c.recall(), c.f1(),
          c.support());
    }
    System.out.printf(Locale.ROOT, "  confusion (rows = true %s, columns = predicted)%n", m.labels());
    for (long[] row : m.confusion()) {
      StringBuilder line = new StringBuilder("   ");
      for (long v : row) {
        line.append(String.format(Locale.ROOT, " %7d", v));
      }
      System.out.println(line);
    }
  }
}
