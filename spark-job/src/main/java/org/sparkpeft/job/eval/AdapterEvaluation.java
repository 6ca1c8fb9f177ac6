package org.sparkpeft.job.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.job.cli.UserError;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.train.Minibatch;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Re-evaluates a written adapter on a prepared split, on Spark: the adapter's two files (a few hundred KB) are
 * broadcast, and each executor applies them with {@link AdapterFiles#load} — the same checks as any other load —
 * to its once-imported base, so what is scored is exactly what was written.
 */
public final class AdapterEvaluation {

  /** What was evaluated and the metrics. */
  public record Result(String adapter, String data, String split, AdapterInfo info, ClassificationMetrics metrics) {}

  /** The adapter's files as they travel to executors (a plain class: Spark's Kryo cannot build records). */
  static final class Payload implements Serializable {
    private byte[] config;
    private byte[] weights;
    private String source;

    /** For serialisation. */
    Payload() {
    }

    Payload(byte[] config, byte[] weights, String source) {
      this.config = config;
      this.weights = weights;
      this.source = source;
    }

    byte[] weights() {
      return weights;
    }

    String source() {
      return source;
    }

    AdapterFiles.Files files() {
      return new AdapterFiles.Files(config, weights);
    }
  }

  private AdapterEvaluation() {}

  /**
   * Scores {@code split} of the prepared data at {@code dataPath} with the adapter folder at {@code adapterPath}
   * on the base at {@code base} (which must be the one the adapter was trained on).
   */
  public static Result run(SparkSession spark, String adapterPath, String dataPath, String split, ModelLocation base,
                           int batchSize) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Payload payload = new Payload(read(hadoop, adapterPath, AdapterFiles.CONFIG),
        read(hadoop, adapterPath, AdapterFiles.WEIGHTS), adapterPath);
    BaseModel driverBase = base.load(hadoop);
    AdapterInfo info;
    try {
      info = AdapterFiles.load(driverBase, payload.files(), adapterPath).info();
    } catch (IllegalArgumentException e) {
      throw new UserError("adapter " + e.getMessage() + ".", e);
    }
    PreparedData data = new PreparedData(spark, dataPath).verified();
    List<String> labels = data.labels();
    if (!labels.equals(info.labels())) {
      throw new UserError("data " + dataPath + " has labels " + labels + " (by id) but adapter " + adapterPath
          + " was trained on " + info.labels() + ".");
    }
    int classes = labels.size();
    String fingerprint = driverBase.fingerprint();
    Map<String, String> hadoopConf = ExecutorModels.snapshot(hadoop);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobDescription("evaluate " + adapterPath + " on " + split);
    Broadcast<Payload> broadcast = jsc.broadcast(payload);
    JavaRDD<Minibatch> batches = data.scoringBatches(split, batchSize, classes);
    String poolKey = "adapter-evaluation:" + fingerprint + ":" + sha256(payload.weights());
    try {
      ConfusionCounts counts = batches.mapPartitions((Iterator<Minibatch> it) -> {
        if (!it.hasNext()) {
          return Collections.<ConfusionCounts>emptyIterator();
        }
        Payload p = broadcast.value();
        PeftModel model = ExecutorModels.borrow(poolKey, k -> AdapterFiles.load(
            ExecutorModels.model(base, hadoopConf, fingerprint), p.files(), p.source()).model());
        try {
          return List.of(BatchScoring.score(model.graph(), it, classes)).iterator();
        } finally {
          ExecutorModels.giveBack(poolKey, model);
        }
      }).fold(new ConfusionCounts(classes), ConfusionCounts::merge);
      if (counts.examples() == 0) {
        throw new UserError("the " + split + " split of " + dataPath + " has no rows.");
      }
      return new Result(adapterPath, dataPath, split, info, counts.metrics(labels));
    } finally {
      batches.unpersist();
      broadcast.destroy();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Configuration conf, String folder, String name) {
    Path path = new Path(folder, name);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new UserError("adapter " + folder + " has no " + name + "; give the adapter/ folder a train run wrote.");
      }
      try (InputStream in = fs.open(path); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
        in.transferTo(out);
        return out.toByteArray();
      }
    } catch (IOException e) {
      throw new UserError(path + " cannot be read: " + e.getMessage() + ".", e);
    }
  }
}
