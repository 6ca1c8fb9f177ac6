package org.sparkpeft.job.select;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.auto.AutoConfig;
import org.sparkpeft.models.peft.auto.AutoPlan;

/**
 * The plan an {@code auto} training run trains: the one its options carry ({@code plan=PATH} or
 * {@code selection}), else the one its checkpoint folder holds (so a resumed run trains the plan the killed run
 * chose, never a re-selection), else a fresh selection ({@link SelectionStage}), which is saved into the checkpoint
 * folder before the first round.
 */
public final class AutoPlans {

  /** The plan's file in the checkpoint folder. */
  public static final String FILE = "auto-plan.json";

  private static final Logger LOG = LoggerFactory.getLogger(AutoPlans.class);

  /** Where the plan came from. */
  public enum Source { OPTIONS, CHECKPOINT, SELECTED }

  /**
   * The plan, where it came from, and the job's method options with the plan as {@code selection} (what the
   * trainer, the checkpoint fingerprint and the adapter see).
   */
  public record Resolved(AutoPlan plan, Source source, Map<String, String> options) {}

  private AutoPlans() {}

  /** The options' auto configuration; an invalid one is a UserError naming the key. */
  public static AutoConfig config(TrainConfig job) {
    try {
      return AutoConfig.parse(job.methodOptions(), new HeadConfig(2, job.head().hidden(), job.head().dropout()));
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage().endsWith(".") ? e.getMessage() : e.getMessage() + ".", e);
    }
  }

  /** What {@link SelectionStage} needs from a (chosen) training config. */
  public static SelectionStage.Setup setup(TrainConfig job) {
    TrainConfig.Train t = job.train();
    double headRate = job.optimizer().headRate() > 0 ? job.optimizer().headRate() : job.optimizer().learningRate();
    return new SelectionStage.Setup(job.data(), job.model() == null ? ModelLocation.defaultModel()
        : new ModelLocation(job.model()), t.batchSize(), t.maxLength(), t.workers(), t.seed(), headRate);
  }

  /**
   * @param checkpointDir the run's checkpoint folder, or null when it checkpoints nothing
   */
  public static Resolved resolve(SparkSession spark, TrainConfig job, Path checkpointDir) {
    AutoConfig config = config(job);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    AutoPlan plan = config.plan();
    Source source = Source.OPTIONS;
    Path saved = checkpointDir == null ? null : new Path(checkpointDir, FILE);
    if (plan == null && saved != null) {
      plan = read(hadoop, saved);
      source = Source.CHECKPOINT;
    }
    if (plan == null) {
      plan = SelectionStage.run(spark, setup(job), config).plan();
      source = Source.SELECTED;
      if (saved != null) {
        try {
          AdapterStore.write(hadoop, saved, plan.toPrettyJson());
        } catch (IOException e) {
          throw new IllegalStateException("writing the auto plan " + saved + " failed: " + e.getMessage(), e);
        }
      }
    }
    LOG.info("auto plan (" + switch (source) {
      case OPTIONS -> "from the method options";
      case CHECKPOINT -> "resumed from " + saved;
      case SELECTED -> "selected";
    } + "):\n" + plan.table().stripTrailing());
    Map<String, String> options = new LinkedHashMap<>(job.methodOptions());
    options.put("selection", plan.toJson());
    return new Resolved(plan, source, options);
  }

  private static AutoPlan read(Configuration hadoop, Path file) {
    try {
      FileSystem fs = file.getFileSystem(hadoop);
      if (!fs.exists(file)) {
        return null;
      }
      try (InputStream in = fs.open(file)) {
        return AutoPlan.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), file.toString());
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading the auto plan " + file + " failed: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage() + "; delete " + file.getParent() + " to start over.", e);
    }
  }
}
