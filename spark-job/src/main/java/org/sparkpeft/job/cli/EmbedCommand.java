package org.sparkpeft.job.cli;

import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.embed.EmbedJob;
import org.sparkpeft.job.embed.EmbedSpec;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.spark.SparkSessions;
import org.sparkpeft.models.bert.layers.PoolingConf;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkpeft embed}: batch sentence embeddings with the base model on Spark. */
@Command(name = "embed", mixinStandardHelpOptions = true,
    description = "Batch sentence embeddings with the base model on Spark (the model is loaded once per executor). "
        + "Output: the id column (if given) and an `embedding` array column, as Parquet or JSONL.")
public final class EmbedCommand implements Callable<Integer> {

  @Mixin
  TableOptions table = new TableOptions();

  @Option(names = "--pooling", defaultValue = "mean", description = "mean | cls (default: ${DEFAULT-VALUE}).")
  String pooling;

  @Option(names = "--max-length", defaultValue = "256", description = "Tokens per text, longer texts are truncated (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--no-normalize", negatable = false, description = "Do not L2-normalise the embeddings.")
  boolean noNormalize;

  @Override
  public Integer call() {
    PoolingConf.Mode mode = switch (pooling.toLowerCase(java.util.Locale.ROOT)) {
      case "mean" -> PoolingConf.Mode.MEAN;
      case "cls" -> PoolingConf.Mode.CLS;
      default -> throw new UserError("--pooling must be mean or cls, got '" + pooling + "'.");
    };
    EmbedSpec spec = new EmbedSpec(table.input, table.inputFormat, table.textColumn, table.idColumn, table.output,
        table.format, table.model == null ? ModelLocation.defaultModel() : new ModelLocation(table.model), mode,
        maxLength, table.batchSize, !noNormalize, table.overwrite);
    try (SparkSession spark = SparkSessions.getOrCreate("sparkpeft embed")) {
      EmbedJob.Result result = EmbedJob.run(spark, spec);
      System.out.printf("embed: %d rows -> %s (%d dimensions, %.1f rows/s, base sha256 %s)%n", result.rows(),
          spec.output(), result.dimension(), result.rows() / result.seconds(), result.fingerprint().substring(0, 12));
    }
    return 0;
  }
}
