package org.sparkpeft.job.cli;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.report.SelectionHtml;
import org.sparkpeft.job.select.SelectionStage;
import org.sparkpeft.job.service.TrainingService;
import org.sparkpeft.job.spark.SparkSessions;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sparkpeft select}: method {@code auto}'s parameter selection alone. Estimates each group's importance on
 * a sample of the train split (executors, treeAggregate), plans under the budget, prints the plan and writes
 * {@code plan.json} (train it with {@code method.options.plan=<output>/plan.json}) and {@code report.html}
 * (per-layer importance chart and the plan).
 */
@Command(name = "select", mixinStandardHelpOptions = true,
    description = "Method auto's parameter selection alone: importance of every group of the base on a sample of "
        + "the train split, the plan under method.options.budget; writes plan.json and report.html to --output.")
public final class SelectCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "Job config (HOCON); its method is replaced by auto.")
  File config;

  @Option(names = "--data", paramLabel = "PATH", description = "Prepared shards (bin/sparkpeft prepare): data.")
  String data;

  @Option(names = "--budget", paramLabel = "N|P%", description = "method.options.budget: a parameter count (50000) "
      + "or a percentage of the base (0.5%).")
  String budget;

  @Option(names = "--output", paramLabel = "PATH", required = true, description = "Folder for plan.json and report.html.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing plan.json and report.html.")
  boolean overwrite;

  @Parameters(paramLabel = "KEY=VALUE", description = "Config overrides, e.g. method.options.sample=1024 train.seed=7.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    TrainConfig job = job();
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft select")) {
      return run(spark, job);
    }
  }

  /** Runs the parsed command on an existing session (tests); exit code 0. */
  public int run(SparkSession spark) {
    return run(spark, job());
  }

  private TrainConfig job() {
    List<String> settings = new ArrayList<>();
    if (data != null) {
      settings.add("data=" + data);
    }
    settings.add("method.type=auto");
    settings.add("output.path=" + output);
    if (budget != null) {
      settings.add("method.options.budget=" + budget);
    }
    settings.addAll(overrides);
    return TrainConfigLoader.load(config, settings);
  }

  private int run(SparkSession spark, TrainConfig job) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path plan = new Path(output, "plan.json");
    try {
      if (!overwrite && plan.getFileSystem(hadoop).exists(plan)) {
        throw new UserError("output " + plan + " exists; pass --overwrite to replace it.");
      }
      SelectionStage.Selected selected = new TrainingService(spark).select(job);
      AdapterStore.write(hadoop, plan, selected.plan().toPrettyJson());
      AdapterStore.write(hadoop, new Path(output, "report.html"),
          SelectionHtml.write(selected.plan(), "sparkpeft select: " + job.data()));
      System.out.print(selected.plan().table());
      System.out.println("wrote " + plan + " and " + new Path(output, "report.html")
          + "; train it with method.type=auto method.options.plan=" + plan);
      return 0;
    } catch (IOException e) {
      throw new UserError("writing " + output + " failed: " + e.getMessage() + ".", e);
    }
  }
}
