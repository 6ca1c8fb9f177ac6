package org.sparkpeft.job.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.data.shard.OutputListing;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.batch.ShardBatches;
import org.sparkpeft.tokenizer.Truncation;

/**
 * Prepared data as the training and evaluation jobs read it (the data-prep contract, {@link ShardSchema}): the
 * label map and the shard rows of one split, any Hadoop URI. Problems with the folder are {@link UserError}s that
 * name it.
 */
public final class PreparedData {

  /** The splits a prepared folder holds. */
  public static final List<String> SPLITS = List.of("train", "val", "test");

  private final SparkSession spark;
  private final String path;
  private Boolean chunked;
  private Truncation truncation;

  public PreparedData(SparkSession spark, String path) {
    this.spark = spark;
    this.path = path;
  }

  public String path() {
    return path;
  }

  /**
   * Checks the folder against its {@code _SUCCESS} listing (every file present at its size; small files by sha256):
   * a prepare that did not finish, or a copy that is still running, is refused in one sentence naming the folder.
   */
  public PreparedData verified() {
    Path dir = new Path(path);
    try {
      OutputListing.verify(dir.getFileSystem(spark.sparkContext().hadoopConfiguration()), dir, "data");
    } catch (IOException e) {
      throw new UserError("data " + path + " cannot be read: " + e.getMessage() + ".", e);
    }
    return this;
  }

  /** Label names by id (0..n-1) from {@code label_map.json}. */
  public List<String> labels() {
    Path file = new Path(path, ShardSchema.LABEL_MAP);
    try {
      FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(file)) {
        throw new UserError("data " + path + " has no " + ShardSchema.LABEL_MAP + "; is it prepared data?");
      }
      Map<String, Integer> map;
      try (InputStream in = fs.open(file)) {
        map = new ObjectMapper().readValue(in, new TypeReference<Map<String, Integer>>() {});
      }
      TreeMap<Integer, String> byId = new TreeMap<>();
      map.forEach((name, id) -> byId.put(id, name));
      if (byId.size() < 2 || byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
        throw new UserError(file + " must map at least 2 labels to ids 0..n-1, got " + map + ".");
      }
      return List.copyOf(byId.values());
    } catch (IOException e) {
      throw new UserError(file + " cannot be read: " + e.getMessage() + ".", e);
    }
  }

  /**
   * The content identity of the folder ({@link DataIdentity}): one aggregation over every split's rows, plus the
   * manifest and label map files.
   */
  public DataIdentity identity() {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    MessageDigest digest = sha256();
    String source = "unknown";
    for (String name : List.of(ShardSchema.MANIFEST, ShardSchema.LABEL_MAP)) {
      Path file = new Path(path, name);
      try {
        FileSystem fs = file.getFileSystem(conf);
        if (!fs.exists(file)) {
          digest.update((name + ": absent\n").getBytes(StandardCharsets.UTF_8));
          continue;
        }
        byte[] bytes;
        try (InputStream in = fs.open(file)) {
          bytes = in.readAllBytes();
        }
        digest.update((name + ": " + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
        digest.update(bytes);
        if (name.equals(ShardSchema.MANIFEST)) {
          source = new ObjectMapper().readTree(bytes).path("source").path("path").asText("unknown");
        }
      } catch (IOException e) {
        throw new UserError(file + " cannot be read: " + e.getMessage() + ".", e);
      }
    }
    long rows = 0;
    for (String split : SPLITS) {
      // per-row hashes summed exactly (decimal): independent of file layout and read order
      Row r = rows(split).agg(count(lit(1)), sum(xxhash64(col(ShardSchema.ROW_ID), col(ShardSchema.LABEL),
          col(ShardSchema.INPUT_IDS)).cast(DataTypes.createDecimalType(38, 0)))).first();
      long n = r.getLong(0);
      rows += n;
      digest.update((split + ": " + n + " " + (r.isNullAt(1) ? "0" : r.getDecimal(1).toPlainString()) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    return new DataIdentity(path, source, rows, HexFormat.of().formatHex(digest.digest()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether the rows are windows of documents (schema version 2, {@code tokenizer.long-text = chunk}): the train
   * split's files have a {@code doc_id} column.
   */
  public boolean chunked() {
    if (chunked == null) {
      chunked = java.util.Arrays.asList(read("train").columns()).contains(ShardSchema.DOC_ID);
    }
    return chunked;
  }

  /**
   * Which tokens a text longer than the prepared length kept (the manifest's {@code tokenizer.truncation}; head
   * when the manifest names none): rows cut shorter for training keep the same ones ({@link ShardBatches}).
   */
  public Truncation truncation() {
    if (truncation == null) {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      Path file = new Path(path, ShardSchema.MANIFEST);
      try {
        String name = null;
        if (file.getFileSystem(conf).exists(file)) {
          Manifest.TokenizerInfo tokenizer = ManifestJson.read(conf, new Path(path)).tokenizer();
          name = tokenizer == null ? null : tokenizer.truncation();
        }
        truncation = Truncation.parse(name == null ? "head" : name);
      } catch (IOException e) {
        throw new UserError(file + " cannot be read: " + e.getMessage() + ".", e);
      } catch (IllegalArgumentException e) {
        throw new UserError(file + ": tokenizer." + e.getMessage() + ".", e);
      }
    }
    return truncation;
  }

  /**
   * The rows of {@code split} (train, val, test): row id, token ids, label, bucket, and for chunked data the
   * document id ({@link #chunked}).
   */
  public Dataset<Row> rows(String split) {
    Dataset<Row> rows = read(split);
    return chunked()
        ? rows.select(ShardSchema.ROW_ID, ShardSchema.INPUT_IDS, ShardSchema.LABEL, ShardSchema.BUCKET,
            ShardSchema.DOC_ID)
        : rows.select(ShardSchema.ROW_ID, ShardSchema.INPUT_IDS, ShardSchema.LABEL, ShardSchema.BUCKET);
  }

  private Dataset<Row> read(String split) {
    String dir = path + "/" + split;
    try {
      return spark.read().parquet(dir);
    } catch (Exception e) {
      throw new UserError("data " + path + " has no readable " + split + " split (" + dir + "); prepare it "
          + "with `bin/sparkpeft prepare`.", e);
    }
  }

  /** Minibatches of {@code split} for scoring, bucketed on the executors, cached (unpersist when done). */
  public JavaRDD<Minibatch> scoringBatches(String split, int batchSize, int classes) {
    return scoringBatches(split, batchSize, classes, 0);
  }

  /**
   * As {@link #scoringBatches(String, int, int)}, rows cut to {@code maxLength} tokens (0 = as prepared; the tokens
   * {@link #truncation} keeps), spread over
   * {@link #scoringPartitions} partitions so that every core scores: a split's shard files are small and would be
   * read as one partition (and adaptive execution coalesces a shuffle by column into one), which left validation on
   * one core. Rows are hashed by row id; chunked data by document, so that every window of a document is in one
   * partition and its minibatches carry the document ids (scoring averages a document's windows,
   * {@code BatchScoring}).
   */
  public JavaRDD<Minibatch> scoringBatches(String split, int batchSize, int classes, int maxLength) {
    Truncation kept = truncation();
    return spreadRows(split).javaRDD()
        .mapPartitions(it -> new ShardBatches(it, batchSize, classes, maxLength, kept))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * {@link #rows} over {@link #scoringPartitions} partitions, hashed by row id (chunked data: by document, every
   * window of a document in one partition).
   */
  private Dataset<Row> spreadRows(String split) {
    return rows(split).repartition(scoringPartitions(spark),
        col(chunked() ? ShardSchema.DOC_ID : ShardSchema.ROW_ID));
  }

  /**
   * Partitions of a split being scored: twice the cluster's default parallelism (its cores), so that a task per core
   * runs and the uneven ones (documents of many windows) balance out; a count, which adaptive execution keeps.
   */
  public static int scoringPartitions(SparkSession spark) {
    return 2 * Math.max(1, spark.sparkContext().defaultParallelism());
  }
}
