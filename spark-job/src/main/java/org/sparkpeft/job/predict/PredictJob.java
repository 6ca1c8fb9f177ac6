package org.sparkpeft.job.predict;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.OutputSpec;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.job.data.TextInput;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.score.AdapterPayload;
import org.sparkpeft.job.score.AdapterScorer;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;

/**
 * Batch scoring of a table of texts with one or several adapters in one job: every adapter is verified on the
 * driver (base fingerprint, checksums, labels), broadcast once, and applied on each executor to the base it imported
 * once ({@link AdapterScorer}); each partition is tokenized once for all adapters. Output, written atomically:
 * the id column (or the text column when no id is given), {@code predictions} (per adapter, in the order given:
 * {@code adapter}, {@code label}, {@code probability} of that label) and {@code reason} (null, or why a row has no
 * predictions: {@value TextScorer#MISSING}, {@value TextScorer#EMPTY}). No row is dropped.
 */
public final class PredictJob {

  private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);

  /** The struct of one adapter's prediction. */
  public static final StructType PREDICTION = new StructType()
      .add("adapter", DataTypes.StringType, false)
      .add("label", DataTypes.StringType, false)
      .add("probability", DataTypes.DoubleType, false);

  /** What a run did. */
  public record Result(String output, long rows, long scored, int adapters, TextSettings text, double seconds) {}

  private PredictJob() {}

  public static Result run(SparkSession spark, PredictSpec spec) {
    long start = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    BaseModel base = spec.model().load(hadoop);
    List<AdapterPayload> payloads = new ArrayList<>();
    List<List<String>> labels = new ArrayList<>();
    for (String adapter : spec.adapters()) {
      AdapterFiles.Files files = AdapterStore.read(hadoop, adapter);
      AdapterInfo info;
      try {
        info = AdapterFiles.load(base, files, adapter).info();
      } catch (IllegalArgumentException e) {
        throw new UserError("adapter " + e.getMessage() + ".", e);
      }
      payloads.add(new AdapterPayload(files, adapter));
      labels.add(info.labels());
      LOG.info("adapter {}: {} on {}, labels {}", adapter, info.methodType(), base.id(), info.labels());
    }
    TextSettings text = TextSettings.of(hadoop, spec.adapters().get(0), spec.maxLength(), spec.truncation());
    LOG.info(String.format(Locale.ROOT, "text as in training: max length %d, truncation %s, normalization %s, at most "
        + "%d characters (from %s)", text.maxLength(), text.truncation(), text.normalization(), text.maxChars(),
        text.from()));

    String key = spec.idColumn() != null ? spec.idColumn() : spec.textColumn();
    Dataset<Row> input = TextInput.read(spark, spec.input(), spec.inputFormat(), spec.textColumn(), spec.idColumn());
    Dataset<Row> selected = spread(spark, input.select(input.col(key), input.col(spec.textColumn())));
    StructType schema = new StructType()
        .add(input.schema().apply(key))
        .add("predictions", DataTypes.createArrayType(PREDICTION, false), true)
        .add("reason", DataTypes.StringType, true);

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<String, String> hadoopConf = ExecutorModels.snapshot(hadoop);
    List<AdapterScorer> scorers = new ArrayList<>();
    for (AdapterPayload payload : payloads) {
      scorers.add(AdapterScorer.broadcast(jsc, payload, spec.model(), hadoopConf, base.fingerprint(), spec.merge()));
    }
    TextScorer scorer = new TextScorer(scorers, text, base.id(), sha256(base.tokenizerJson()),
        jsc.broadcast(base.tokenizerJson()), spec.batchSize());
    AtomicOutput target = AtomicOutput.begin(hadoop, new OutputSpec(spec.output(), spec.overwrite()));
    try {
      jsc.setJobDescription("sparkpeft predict · " + spec.adapters().size() + " adapter(s) · " + spec.input());
      JavaRDD<Row> scored = GpuStages.onModelExecutors(selected.javaRDD().mapPartitions(new PredictPartition(scorer,
          spec.adapters(), labels)));
      Dataset<Row> output = spark.createDataFrame(scored, schema);
      if (spec.outputFormat().equals("parquet")) {
        output.write().mode(SaveMode.Overwrite).parquet(target.temp().toString());
      } else {
        // every row names every column, reason: null included, as in Parquet
        output.write().mode(SaveMode.Overwrite).option("ignoreNullFields", "false").json(target.temp().toString());
      }
      target.commit();
    } catch (IOException | RuntimeException e) {
      target.abort();
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      scorer.destroy();
    }
    Dataset<Row> written = spark.read().schema(schema)
        .format(spec.outputFormat().equals("parquet") ? "parquet" : "json").load(spec.output());
    long rows = written.count();
    long withPredictions = written.where(written.col("reason").isNull()).count();
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info(String.format(Locale.ROOT, "predicted %d rows (%d without text) with %d adapter(s) in %.1f s "
        + "(%.1f rows/s) to %s", rows, rows - withPredictions, spec.adapters().size(), seconds, rows / seconds,
        spec.output()));
    return new Result(spec.output(), rows, withPredictions, spec.adapters().size(), text, seconds);
  }

  /**
   * The rows over at least as many partitions as the cluster has cores: a file under Spark's split size (128 MB by
   * default) is read as one partition, which one core would score alone.
   */
  static Dataset<Row> spread(SparkSession spark, Dataset<Row> rows) {
    int cores = Math.max(1, spark.sparkContext().defaultParallelism());
    int partitions = rows.rdd().getNumPartitions();
    if (partitions >= cores) {
      return rows;
    }
    LOG.info("input read as {} partition(s): spread over {}, one per core", partitions, cores);
    return rows.repartition(cores);
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
