package org.sparkpeft.job.service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.job.train.config.TrainConfig;

/**
 * Raw data given to train: the prepare job's config for a given output folder. {@code train --input} builds it
 * from flags and {@code prepare.<key>} settings; the demo from the default corpus.
 */
@FunctionalInterface
public interface RawInput {

  /** The prepare config writing to {@code outputPath}; a {@link UserError} naming the key when invalid. */
  PrepareConfig config(String outputPath);

  /** What the raw data is, for the run's config record. */
  default String description() {
    PrepareConfig config = config("file:/tmp/sparkpeft-describe");
    return config.source().path() + " (" + config.source().format().name().toLowerCase(Locale.ROOT)
        + ", max length " + config.tokenize().maxLength() + ", split seed " + config.split().seed() + ")";
  }

  /** Checks the settings before Spark starts. */
  default void validate() {
    config("file:/tmp/sparkpeft-validate");
  }

  /** Prepares the raw data into {@code outputPath} and returns {@code train} reading from there. */
  default TrainConfig prepare(SparkSession spark, TrainConfig train, String outputPath) {
    PrepareConfig config = config(outputPath);
    PrepareResult result = PrepareJob.run(spark, config);
    System.out.print(result.summary());
    try {
      requireTwoLabels("input " + config.source().path(), result.manifest().labelMap().keySet(),
          "the label column (--label-col, input.label-col) and input.labels");
    } catch (UserError e) {
      // nothing to resume from: the prepared folder goes, so the failed run leaves nothing beside the output
      try {
        Path prepared = new Path(outputPath);
        prepared.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(prepared, true);
      } catch (IOException ignored) {
        // the sentence below is what matters; a folder left behind is replaced by the next prepare
      }
      throw e;
    }
    return train.withData(outputPath);
  }

  /**
   * Fails with one sentence naming the input when its prepared rows carry fewer than two labels (a classifier needs
   * two), before a model is loaded.
   */
  static void requireTwoLabels(String input, Collection<String> labels, String check) {
    if (labels.size() < 2) {
      throw new UserError(input + " has " + (labels.isEmpty() ? "no labelled rows"
          : "one label only (" + labels.iterator().next() + ")") + " after preparing: a classifier needs at least 2; "
          + "check " + check + ".");
    }
  }

  /** From prepare's {@code key=value} settings (which must include input.path). */
  static RawInput of(List<String> settings) {
    return outputPath -> {
      List<String> all = new ArrayList<>(settings);
      all.add("output.path=" + outputPath);
      all.add("output.overwrite=true");
      return ConfigLoader.load(null, all, c -> {
        throw new UserError("--input is required to prepare raw data.");
      });
    };
  }
}
