package org.sparkpeft.job.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.predict.PredictJob;
import org.sparkpeft.job.predict.PredictSpec;
import org.sparkpeft.job.spark.SparkSessions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkpeft predict}: batch scoring of a table of texts with one or several adapters in one job. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Batch scoring with one or several adapters in one job (the base is loaded once per executor; each "
        + "text is tokenized once for all adapters). Output, written atomically: the id column (or the text column), "
        + "`predictions` (per adapter: adapter, label, probability) and `reason` (why a row has no predictions).")
public final class PredictCommand implements Callable<Integer> {

  @Mixin
  TableOptions table = new TableOptions();

  @Option(names = "--adapter", required = true, paramLabel = "PATH[,PATH...]",
      description = "Adapter folder(s) a train run wrote (<output>/adapter), any Hadoop URI, comma-separated.")
  String adapters;

  @Option(names = "--max-length", description = "Tokens per text (default: what the adapter's training data used).")
  Integer maxLength;

  @Option(names = "--truncation", paramLabel = "head|tail|head_tail",
      description = "Which tokens a longer text keeps (default: what the adapter's training data used).")
  String truncation;

  @Option(names = "--merge", description = "Score with LoRA merged into the base weights (the same predictions).")
  boolean merge;

  @Override
  public Integer call() {
    PredictSpec spec = spec();
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft predict")) {
      return run(spark, spec);
    }
  }

  /** Runs the parsed command on an existing session (notebooks, tests); exit code 0. */
  public int run(SparkSession spark) {
    return run(spark, spec());
  }

  private int run(SparkSession spark, PredictSpec spec) {
    PredictJob.Result r = PredictJob.run(spark, spec);
    System.out.printf(Locale.ROOT, "%npredicted %,d rows (%,d without text) with %d adapter(s) -> %s (%.1f rows/s)%n",
        r.rows(), r.rows() - r.scored(), r.adapters(), r.output(), r.rows() / r.seconds());
    return 0;
  }

  private PredictSpec spec() {
    List<String> paths = adapters == null ? List.of()
        : Arrays.stream(adapters.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new PredictSpec(paths, table.input, table.inputFormat, table.textColumn, table.idColumn, table.output,
        table.format, table.model == null ? ModelLocation.defaultModel() : new ModelLocation(table.model), maxLength,
        truncation, table.batchSize, merge, table.overwrite);
  }
}
