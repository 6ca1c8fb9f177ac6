package org.sparkpeft.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.sparkpeft.data.clean.CleanRows;
import org.sparkpeft.data.config.Format;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.data.manifest.ManifestStats;
import org.sparkpeft.data.manifest.RowAccounting;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.data.shard.TokenizeRows;
import org.sparkpeft.data.shard.TokenizerSource;
import org.sparkpeft.data.source.CsvRecordCheck;
import org.sparkpeft.data.source.RawRows;
import org.sparkpeft.data.source.Sources;
import org.sparkpeft.data.split.Splitter;

/**
 * The prepare job: read → clean (reject) → dedupe → label map → split + tokenize + bucket on executors → write
 * shards, rejects, manifest and label map atomically. Every input row ends up counted as a shard row, a
 * duplicate or a reject; the job checks that against what it wrote and fails if it does not hold.
 */
public final class PrepareJob {

  /** Rows per Parquet (or rejects JSON) file, roughly. */
  static final long ROWS_PER_FILE = 100_000;
  /** Rows per tokenization task, roughly, on big inputs. */
  static final long ROWS_PER_TASK = 20_000;

  private final SparkSession spark;
  private final PrepareConfig config;
  private final Dataset<Row> input;
  private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
  private String stage;
  private long stageStart;

  public PrepareJob(SparkSession spark, PrepareConfig config) {
    this(spark, config, null);
  }

  /**
   * A job whose input is {@code input}, a DataFrame the caller holds (its text, label and id columns as
   * {@code config}'s source names them), instead of files; null: read {@code config}'s source.
   */
  public PrepareJob(SparkSession spark, PrepareConfig config, Dataset<Row> input) {
    this.spark = spark;
    this.config = config;
    this.input = input;
  }

  public static PrepareResult run(SparkSession spark, PrepareConfig config) {
    return new PrepareJob(spark, config).run();
  }

  /** Prepares the DataFrame {@code input} (see {@link #PrepareJob(SparkSession, PrepareConfig, Dataset)}). */
  public static PrepareResult run(SparkSession spark, PrepareConfig config, Dataset<Row> input) {
    return new PrepareJob(spark, config, input).run();
  }

  public PrepareResult run() {
    long start = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    TokenizerSource tokenizer = TokenizerSource.load(hadoop, config.tokenize());
    AtomicOutput output = AtomicOutput.begin(hadoop, config.output());
    List<Runnable> cleanup = new ArrayList<>();
    boolean committed = false;
    try {
      Manifest manifest = prepare(hadoop, tokenizer, output.temp(), cleanup);
      describe("commit");
      output.commit();
      committed = true;
      describe(null);
      return new PrepareResult(output.target().toString(), manifest, (System.nanoTime() - start) / 1e9,
          Map.copyOf(stageSeconds));
    } catch (IOException e) {
      throw new IllegalStateException("writing " + config.output().path() + " failed: " + e.getMessage(), e);
    } finally {
      cleanup.forEach(Runnable::run);
      if (!committed) {
        output.abort();
      }
    }
  }

  private Manifest prepare(Configuration hadoop, TokenizerSource tokenizer, Path dir, List<Runnable> cleanup)
      throws IOException {
    describe("read, parse, clean");
    // CSV: count every file's records independently of the parser first (a quote never closed stops here)
    CsvRecordCheck csvRecords = input == null && config.source().format() == Format.CSV
        ? CsvRecordCheck.count(spark, config.source()) : null;
    JavaRDD<Row> raw = input == null ? Sources.readRdd(spark, config.source())
        : Sources.fromDataFrame(config.source(), input, config.source().path()).javaRDD();
    Dataset<Row> cleaned = spark.createDataFrame(raw.map(new CleanRows(config.source(), config.clean())),
        CleanRows.SCHEMA)
        .persist(StorageLevel.MEMORY_AND_DISK());
    cleanup.add(cleaned::unpersist);

    Map<String, Long> byReason = new TreeMap<>();
    long inputRows = 0;
    long inputBytes = 0;
    long accepted = 0;
    for (Row r : cleaned.groupBy(RawRows.REJECT)
        .agg(count(lit(1)).as("n"), sum(RawRows.INPUT_BYTES).as("bytes")).collectAsList()) {
      long n = r.getLong(1);
      inputRows += n;
      inputBytes += r.isNullAt(2) ? 0 : r.getLong(2);
      if (r.isNullAt(0)) {
        accepted = n;
      } else {
        byReason.put(r.getString(0), n);
      }
    }
    // every other reader returns one row per JSONL line, Parquet row or file: nothing it could merge or drop
    long inputRecords = csvRecords == null ? inputRows : csvRecords.verify(rowsByFile(cleaned));
    if (inputRows == 0) {
      throw new UserError("input " + config.source().path() + " has no rows (empty input).");
    }
    if (accepted == 0) {
      throw new UserError("all " + inputRows + " input rows of " + config.source().path()
          + " were rejected " + byReason + "; nothing to prepare.");
    }

    describe("deduplicate");
    // An explicit partition count (which adaptive execution keeps) spreads tokenization over every core; the
    // window then reuses this hash partitioning.
    int partitions = (int) Math.max(2L * spark.sparkContext().defaultParallelism(), accepted / ROWS_PER_TASK);
    Dataset<Row> kept = cleaned.where(col(RawRows.REJECT).isNull())
        .repartition(partitions, col(CleanRows.HASH))
        .withColumn("rank", row_number().over(Window.partitionBy(CleanRows.HASH)
            .orderBy(col(RawRows.ROW_ID), col(RawRows.ORIGIN), col(RawRows.LABEL))))
        .where(col("rank").equalTo(1))
        .drop("rank");
    Map<String, Integer> labelMap = labelMap(kept);

    describe("split, tokenize and bucket");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> json = jsc.broadcast(tokenizer.json());
    cleanup.add(() -> json.unpersist(false));
    Dataset<Row> shards = spark.createDataFrame(kept.javaRDD().mapPartitions(new TokenizeRows(json, tokenizer.id(),
            tokenizer.sha256(), config.tokenize(), config.split(), labelMap)), TokenizeRows.schema(config.tokenize()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    cleanup.add(shards::unpersist);
    ManifestStats stats = ManifestStats.of(shards, labelMap);

    describe("write shards and rejects");
    // written documents (chunked data: window 0 of each; otherwise every row)
    Map<String, Long> written = new LinkedHashMap<>();
    boolean chunked = config.tokenize().chunked();
    String[] columns = (chunked ? ShardSchema.CHUNKED_SCHEMA : ShardSchema.SCHEMA).fieldNames();
    for (String split : Splitter.SPLITS) {
      long rows = stats.splitRows(split);
      String path = new Path(dir, split).toString();
      shards.where(col(TokenizeRows.SPLIT).equalTo(split))
          .select(Arrays.stream(columns).map(functions::col).toArray(Column[]::new))
          .repartitionByRange(files(rows), col(ShardSchema.BUCKET), col(ShardSchema.ROW_ID))
          .sortWithinPartitions(ShardSchema.BUCKET, ShardSchema.ROW_ID)
          .write().parquet(path);
      Dataset<Row> back = spark.read().parquet(path);
      written.put(split, chunked ? back.where(col(ShardSchema.CHUNK).equalTo(0)).count() : back.count());
    }
    long rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
    String rejectsPath = new Path(dir, ShardSchema.REJECTS).toString();
    cleaned.where(col(RawRows.REJECT).isNotNull())
        .select(col(RawRows.ROW_ID), col(RawRows.ORIGIN), col(RawRows.LABEL), col(RawRows.REJECT).as("reason"),
            col(RawRows.DETAIL), col(RawRows.TEXT))
        .coalesce(files(rejected))
        .write().json(rejectsPath);
    long rejectsWritten = spark.read().text(rejectsPath).count();

    long shardRows = written.values().stream().mapToLong(Long::longValue).sum();
    RowAccounting accounting = new RowAccounting(inputRecords, inputRows, accepted, stats.totalDocuments(), rejected,
        shardRows, rejectsWritten);
    accounting.verify(config.source().path());
    Manifest.Counts counts = new Manifest.Counts(inputRecords, inputRows, shardRows, accounting.duplicates(),
        rejected, byReason, stats.truncated(), inputBytes, accounting.balanced());
    Manifest manifest = stats.manifest(config, tokenizer, labelMap, counts);
    ManifestJson.write(hadoop, dir, manifest);
    return manifest;
  }

  /** Rows the reader produced per input file ({@code input_file_name()}). */
  private static Map<String, Long> rowsByFile(Dataset<Row> cleaned) {
    Map<String, Long> rows = new TreeMap<>();
    cleaned.groupBy(RawRows.ORIGIN).count().collectAsList().forEach(r -> rows.put(r.getString(0), r.getLong(1)));
    return rows;
  }

  private static Map<String, Integer> labelMap(Dataset<Row> kept) {
    Map<String, Integer> map = new LinkedHashMap<>();
    kept.select(RawRows.LABEL).distinct().collectAsList().stream()
        .map(r -> r.getString(0)).sorted().forEach(label -> map.put(label, map.size()));
    return map;
  }

  private static int files(long rows) {
    return (int) Math.max(1, (rows + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
  }

  /** Names the Spark jobs of the stage that starts now, and times the one that ends. */
  private void describe(String next) {
    long now = System.nanoTime();
    if (stage != null) {
      stageSeconds.merge(stage, (now - stageStart) / 1e9, Double::sum);
    }
    stage = next;
    stageStart = now;
    spark.sparkContext().setJobDescription(next == null ? null : "sparkpeft prepare · " + next);
  }
}
