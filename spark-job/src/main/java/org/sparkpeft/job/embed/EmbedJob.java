package org.sparkpeft.job.embed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.config.OutputSpec;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.job.batch.Chunks;
import org.sparkpeft.job.data.TextInput;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.inference.SentenceEncoder;

/**
 * Batch sentence embeddings on Spark: each executor imports the base model once (by location, checked against
 * the driver's fingerprint) and encodes its partitions in length-sorted batches. Output: the id column (if
 * given) and {@code embedding} array&lt;float&gt;, written atomically.
 */
public final class EmbedJob {

  private static final Logger LOG = LoggerFactory.getLogger(EmbedJob.class);
  private static final int CHUNK = 512;

  /** What a run did. */
  public record Result(long rows, int dimension, double seconds, String fingerprint) {}

  private EmbedJob() {}

  public static Result run(SparkSession spark, EmbedSpec spec) {
    long start = System.nanoTime();
    Dataset<Row> input = read(spark, spec);
    BaseModel model = spec.model().load(spark.sparkContext().hadoopConfiguration());
    String fingerprint = model.fingerprint();
    int dimension = model.config().hidden();
    LOG.info("embedding {} column '{}' with {} ({} layers, hidden {}, sha256 {}), pooling {}, max length {}",
        spec.input(), spec.textColumn(), spec.model(), model.config().layers(), dimension,
        fingerprint.substring(0, 12), spec.pooling(), spec.maxLength());

    List<StructField> fields = new ArrayList<>();
    if (spec.idColumn() != null) {
      fields.add(input.schema().apply(spec.idColumn()));
    }
    fields.add(DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true));
    StructType schema = DataTypes.createStructType(fields);

    Dataset<Row> selected = spec.idColumn() == null
        ? input.select(input.col(spec.textColumn()))
        : input.select(input.col(spec.idColumn()), input.col(spec.textColumn()));
    Map<String, String> hadoopConf = ExecutorModels.snapshot(spark.sparkContext().hadoopConfiguration());
    JavaRDD<Row> embedded = GpuStages.onModelExecutors(
        selected.javaRDD().mapPartitions(new EmbedPartition(spec, hadoopConf, fingerprint)));
    Dataset<Row> output = spark.createDataFrame(embedded, schema);

    AtomicOutput target = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(),
        new OutputSpec(spec.output(), spec.overwrite()));
    spark.sparkContext().setJobDescription("sparkpeft embed · " + spec.input());
    try {
      if (spec.outputFormat().equals("parquet")) {
        output.write().mode(org.apache.spark.sql.SaveMode.Overwrite).parquet(target.temp().toString());
      } else {
        output.write().mode(org.apache.spark.sql.SaveMode.Overwrite).json(target.temp().toString());
      }
      target.commit();
    } catch (IOException | RuntimeException e) {
      target.abort();
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    long rows = spark.read().format(spec.outputFormat().equals("parquet") ? "parquet" : "json")
        .load(spec.output()).count();
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info("embedded {} rows in {} s ({} rows/s) to {}", rows, String.format("%.1f", seconds),
        String.format("%.1f", rows / seconds), spec.output());
    return new Result(rows, dimension, seconds, fingerprint);
  }

  static Dataset<Row> read(SparkSession spark, EmbedSpec spec) {
    return TextInput.read(spark, spec.input(), spec.inputFormat(), spec.textColumn(), spec.idColumn());
  }

  /** Encodes one partition in chunks with a pooled encoder of this executor. */
  static final class EmbedPartition implements FlatMapFunction<Iterator<Row>, Row> {
    private final EmbedSpec spec;
    private final Map<String, String> hadoopConf;
    private final String fingerprint;

    EmbedPartition(EmbedSpec spec, Map<String, String> hadoopConf, String fingerprint) {
      this.spec = spec;
      this.hadoopConf = hadoopConf;
      this.fingerprint = fingerprint;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<Object> key = List.of(spec.model(), fingerprint, spec.pooling(), spec.maxLength(), spec.batchSize(),
          spec.normalize());
      SentenceEncoder encoder = ExecutorModels.borrow(key, k -> new SentenceEncoder(
          ExecutorModels.model(spec.model(), hadoopConf, fingerprint), spec.pooling(), spec.maxLength(),
          spec.batchSize(), spec.normalize()));
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> ExecutorModels.giveBack(key, encoder));
      }
      boolean withId = spec.idColumn() != null;
      return Chunks.map(rows, CHUNK, chunk -> encodeChunk(chunk, encoder, withId));
    }

    private static List<Row> encodeChunk(List<Row> in, SentenceEncoder encoder, boolean withId) {
      int textIndex = withId ? 1 : 0;
      List<String> texts = new ArrayList<>();
      for (Row row : in) {
        if (!row.isNullAt(textIndex)) {
          texts.add(row.getString(textIndex));
        }
      }
      float[][] vectors = encoder.encode(texts);
      List<Row> out = new ArrayList<>(in.size());
      int v = 0;
      for (Row row : in) {
        Float[] embedding = null;
        if (!row.isNullAt(textIndex)) {
          float[] vector = vectors[v++];
          embedding = new Float[vector.length];
          for (int i = 0; i < vector.length; i++) {
            embedding[i] = vector[i];
          }
        }
        out.add(withId ? RowFactory.create(row.get(0), embedding) : RowFactory.create((Object) embedding));
      }
      return out;
    }
  }
}
