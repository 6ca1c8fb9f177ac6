package org.sparkpeft.job.ml;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.job.predict.TextSettings;
import org.sparkpeft.job.service.RawInput;
import org.sparkpeft.job.service.TrainingService;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;

/**
 * Parameter-efficient fine-tuning as a Spark ML {@link Estimator}: {@link #fit} runs the same prepare stages (clean,
 * dedupe, stratified split, tokenize on executors) on the DataFrame and the same adapter-only parameter-averaging
 * training as {@code bin/sparkpeft train}, and returns a {@link PeftClassificationModel}. Settings are typed,
 * documented, validated params with fluent setters; bad values are one sentence naming the param.
 *
 * <p>The prepared rows and checkpoints go to {@code checkpointDir} (a fit run again with the same folder resumes); without
 * one, to a temporary folder deleted after the fit (local masters only: a cluster's executors need a shared folder).
 */
public final class PeftClassifier extends Estimator<PeftClassificationModel>
    implements PeftParams, DefaultParamsWritable {

  private final String uid;
  private final PeftParamDefs defs;

  public PeftClassifier() {
    this(Identifiable$.MODULE$.randomUID("peftClassifier"));
  }

  public PeftClassifier(String uid) {
    this.uid = uid;
    this.defs = new PeftParamDefs(this);
    defs.defaults(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public PeftParamDefs defs() {
    return defs;
  }

  public PeftClassifier setTextCol(String value) {
    return (PeftClassifier) set(textCol(), value);
  }

  public PeftClassifier setLabelCol(String value) {
    return (PeftClassifier) set(labelCol(), value);
  }

  public PeftClassifier setBaseModel(String value) {
    return (PeftClassifier) set(baseModel(), value);
  }

  public PeftClassifier setMethod(String value) {
    return (PeftClassifier) set(method(), value);
  }

  public PeftClassifier setMethodOptions(String value) {
    return (PeftClassifier) set(methodOptions(), value);
  }

  public PeftClassifier setMaxLength(int value) {
    return (PeftClassifier) set(maxLength(), value);
  }

  public PeftClassifier setEpochs(int value) {
    return (PeftClassifier) set(epochs(), value);
  }

  public PeftClassifier setBatchSize(int value) {
    return (PeftClassifier) set(batchSize(), value);
  }

  public PeftClassifier setNumWorkers(int value) {
    return (PeftClassifier) set(numWorkers(), value);
  }

  public PeftClassifier setAveragingFrequency(int value) {
    return (PeftClassifier) set(averagingFrequency(), value);
  }

  public PeftClassifier setLearningRate(double value) {
    return (PeftClassifier) set(learningRate(), value);
  }

  public PeftClassifier setValidationFraction(double value) {
    return (PeftClassifier) set(validationFraction(), value);
  }

  /** Whether fit also scores the TF-IDF + logistic-regression baseline (default true). */
  public PeftClassifier setBaseline(boolean value) {
    return (PeftClassifier) set(baseline(), value);
  }

  public PeftClassifier setCheckpointDir(String value) {
    return (PeftClassifier) set(checkpointDir(), value);
  }

  public PeftClassifier setSeed(long value) {
    return (PeftClassifier) set(seed(), value);
  }

  public PeftClassifier setPredictionCol(String value) {
    return (PeftClassifier) set(predictionCol(), value);
  }

  public PeftClassifier setProbabilityCol(String value) {
    return (PeftClassifier) set(probabilityCol(), value);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(getLabelCol())) {
      throw new UserError("the input has no label column '" + getLabelCol() + "' (labelCol); its columns are "
          + names + ".");
    }
    return copyValues(new PeftClassificationModel(uid), ParamMap.empty()).transformSchema(schema);
  }

  @Override
  public PeftClassificationModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    SparkSession spark = dataset.sparkSession();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    boolean temporary = getCheckpointDir().isEmpty();
    String work = temporary ? temporaryFolder(spark) : getCheckpointDir().replaceAll("/+$", "");
    String prepared = work + "/prepared";
    String run = work + "/run";
    try {
      PrepareResult result = PrepareJob.run(spark, prepareConfig(prepared), dataset.toDF());
      RawInput.requireTwoLabels("the DataFrame", result.manifest().labelMap().keySet(),
          "labelCol ('" + getLabelCol() + "')");
      TrainingService.Written written = new TrainingService(spark).trainAndWrite(trainConfig(prepared, run));
      String adapter = written.output() + "/adapter";
      PeftClassificationModel.ModelState state = PeftClassificationModel.ModelState.verified(hadoop,
          AdapterStore.read(hadoop, adapter), adapter, getBaseModel(), TextSettings.of(hadoop, adapter, null, null));
      PeftClassificationModel model = copyValues(new PeftClassificationModel(uid, state), ParamMap.empty());
      // the length the model was trained on (chosen from the data unless set), so getMaxLength tells it
      model.set(model.maxLength(), state.text().maxLength());
      return model.setParent(this);
    } finally {
      if (temporary) {
        delete(hadoop, work);
      }
    }
  }

  private PrepareConfig prepareConfig(String output) {
    double v = (Double) getOrDefault(validationFraction());
    if (getMaxLength() == 1) {
      throw new UserError("maxLength must be 0 (chosen from the data) or 2..512 (room for [CLS] and [SEP]), got 1.");
    }
    List<String> settings = new ArrayList<>(List.of("input.path=dataframe", "input.format=parquet",
        "input.text-col=" + getTextCol(), "input.label-col=" + getLabelCol(),
        "split.seed=" + getOrDefault(seed()), String.format(Locale.ROOT, "split.train=%.6f", 1 - 2 * v),
        String.format(Locale.ROOT, "split.val=%.6f", v), String.format(Locale.ROOT, "split.test=%.6f", v),
        "output.path=" + output, "output.overwrite=true"));
    if (getMaxLength() > 0) {
      settings.add("tokenizer.max-length=" + getMaxLength());
    }
    if (!getBaseModel().isEmpty()) {
      settings.add("tokenizer.path=" + getBaseModel());
    }
    return ConfigLoader.load(null, settings, c -> {
      throw new UserError("the estimator gives its input");
    });
  }

  /**
   * The training job's keys: a training setting left at 0 is not passed, so {@code train}'s chooser decides it from
   * the data (its table in the log and metrics.json), as for {@code bin/sparkpeft train}; a set one is explicit and
   * wins. A set {@code maxLength} is trained on whole ({@code train.max-length=0}: as prepared).
   */
  TrainConfig trainConfig(String data, String output) {
    List<String> settings = new ArrayList<>(List.of("data=" + data, "output.path=" + output, "output.overwrite=true",
        "method.type=" + getMethod(), "train.workers=" + getOrDefault(numWorkers()),
        "train.seed=" + getOrDefault(seed()), "baseline.enabled=" + getOrDefault(baseline())));
    int epochs = (Integer) getOrDefault(epochs());
    int averaging = (Integer) getOrDefault(averagingFrequency());
    double rate = (Double) getOrDefault(learningRate());
    if (getMaxLength() > 0) {
      settings.add("train.max-length=0");
    }
    if (epochs > 0) {
      settings.add("train.epochs=" + epochs);
    }
    if (getBatchSize() > 0) {
      settings.add("train.batch-size=" + getBatchSize());
    }
    if (averaging > 0) {
      settings.add("train.averaging-frequency=" + averaging);
    }
    if (rate > 0) {
      settings.add("optimizer.lr=" + rate);
    }
    if (!getBaseModel().isEmpty()) {
      settings.add("model=" + getBaseModel());
    }
    for (String option : getMethodOptions().split(";")) {
      if (option.isBlank()) {
        continue;
      }
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new UserError("methodOptions must be name=value pairs separated by ';', got '" + option.trim() + "'.");
      }
      settings.add("method.options." + option.substring(0, eq).trim() + "=" + option.substring(eq + 1).trim());
    }
    return TrainConfigLoader.load(null, settings);
  }

  private String temporaryFolder(SparkSession spark) {
    String master = spark.sparkContext().master();
    if (!master.startsWith("local")) {
      throw new UserError("set checkpointDir (a folder all executors can read, e.g. on HDFS) to fit on " + master
          + "; a temporary local folder works only on a local master.");
    }
    try {
      return Files.createTempDirectory("sparkpeft-fit-").toUri().toString();
    } catch (IOException e) {
      throw new IllegalStateException("no temporary folder for fit: " + e.getMessage(), e);
    }
  }

  private static void delete(Configuration hadoop, String folder) {
    try {
      Path path = new Path(folder);
      path.getFileSystem(hadoop).delete(path, true);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(PeftClassifier.class).warn("could not delete {}: {}", folder, e.getMessage());
    }
  }

  @Override
  public PeftClassifier copy(ParamMap extra) {
    return (PeftClassifier) defaultCopy(extra);
  }

  /** Spark ML's reader for {@link DefaultParamsWritable} stages (params only): {@code PeftClassifier.load(path)}. */
  public static org.apache.spark.ml.util.MLReader<PeftClassifier> read() {
    return new org.apache.spark.ml.util.DefaultParamsReader<>();
  }

  public static PeftClassifier load(String path) {
    return read().load(path);
  }
}
