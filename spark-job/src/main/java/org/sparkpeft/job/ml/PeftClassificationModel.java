package org.sparkpeft.job.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.batch.Chunks;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.predict.TextScorer;
import org.sparkpeft.job.predict.TextSettings;
import org.sparkpeft.job.score.AdapterPayload;
import org.sparkpeft.job.score.AdapterScorer;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.models.io.AdapterInfo;

/**
 * A fitted PEFT classifier as a Spark ML {@link Model}: a written adapter (the same files {@code train} writes) on its
 * base model. {@link #transform} adds {@code rawPrediction} (log-probabilities), {@code probability} (ML vectors),
 * {@code prediction} (the class index) and {@code predictedLabel}; rows without text get nulls. Works in a
 * {@code Pipeline}; {@code write().overwrite().save(path)} / {@link #load} store Spark ML metadata plus the adapter
 * folder on any Hadoop URI; {@link #fromAdapter} wraps an adapter a {@code train} run wrote.
 */
public final class PeftClassificationModel extends Model<PeftClassificationModel>
    implements PeftParams, MLWritable {

  private static final int CHUNK = 256;

  private final String uid;
  private final PeftParamDefs defs;
  private final ModelState state;

  /** For Spark ML's copy and reader (an empty model until a state is given). */
  public PeftClassificationModel(String uid) {
    this(uid, null);
  }

  PeftClassificationModel(String uid, ModelState state) {
    this.uid = uid;
    this.defs = new PeftParamDefs(this);
    defs.defaults(this);
    this.state = state;
  }

  /** Wraps the adapter folder a {@code train} run wrote ({@code <output>/adapter}), verified against its base. */
  public static PeftClassificationModel fromAdapter(String adapterPath) {
    return fromAdapter(adapterPath, "");
  }

  /** As {@link #fromAdapter(String)}, for an adapter trained on the base model in folder {@code baseModel}. */
  public static PeftClassificationModel fromAdapter(String adapterPath, String baseModel) {
    SparkSession spark = SparkSession.active();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    AdapterFiles.Files files = AdapterStore.read(hadoop, adapterPath);
    ModelState state = ModelState.verified(hadoop, files, adapterPath, baseModel,
        TextSettings.of(hadoop, adapterPath, null, null));
    PeftClassificationModel model = new PeftClassificationModel(Identifiable$.MODULE$.randomUID("peftClassifier"),
        state);
    model.set(model.baseModel(), baseModel);
    model.set(model.maxLength(), state.text().maxLength());
    return model;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public PeftParamDefs defs() {
    return defs;
  }

  /** The labels by class index, as trained. */
  public List<String> labels() {
    return state().info().labels();
  }

  /** What the adapter's config records of its training (rounds, test accuracy and macro-F1, ...). */
  public java.util.Map<String, String> trainingSummary() {
    return state().info().summary();
  }

  ModelState state() {
    if (state == null) {
      throw new UserError("this PeftClassificationModel holds no adapter; create it with PeftClassifier.fit, "
          + "PeftClassificationModel.fromAdapter or PeftClassificationModel.load.");
    }
    return state;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(getTextCol())) {
      throw new UserError("the input has no text column '" + getTextCol() + "' (textCol); its columns are " + names
          + ".");
    }
    if (!schema.apply(getTextCol()).dataType().equals(DataTypes.StringType)) {
      throw new UserError("the text column '" + getTextCol() + "' (textCol) must be a string, it is "
          + schema.apply(getTextCol()).dataType().simpleString() + ".");
    }
    StructType out = schema;
    for (StructField field : outputFields()) {
      if (names.contains(field.name())) {
        throw new UserError("the input already has a column '" + field.name() + "'; choose another output column "
            + "name (predictionCol, probabilityCol, rawPredictionCol, predictedLabelCol).");
      }
      out = out.add(field);
    }
    return out;
  }

  private List<StructField> outputFields() {
    return List.of(
        DataTypes.createStructField(getRawPredictionCol(), SQLDataTypes.VectorType(), true),
        DataTypes.createStructField(getProbabilityCol(), SQLDataTypes.VectorType(), true),
        DataTypes.createStructField(getPredictionCol(), DataTypes.DoubleType, true),
        DataTypes.createStructField(getPredictedLabelCol(), DataTypes.StringType, true));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema());
    ModelState s = state();
    SparkSession spark = dataset.sparkSession();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    ModelLocation location = s.location();
    BaseModel base = ExecutorModels.model(location, ExecutorModels.snapshot(hadoop), null);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    AdapterScorer adapter = AdapterScorer.broadcast(jsc, new AdapterPayload(s.files(), s.source()), location,
        ExecutorModels.snapshot(hadoop), base.fingerprint());
    int length = getMaxLength() > 0 ? getMaxLength() : s.text().maxLength();
    TextSettings text = new TextSettings(length, s.text().truncation(), s.text().normalization(),
        s.text().maxChars(), s.text().from(), Math.min(s.text().chunkOverlap(), Math.max(0, length - 3)),
        s.text().maxChunks());
    // broadcasts live as long as the DataFrame may be evaluated; Spark's context cleaner drops them after
    TextScorer scorer = new TextScorer(List.of(adapter), text, base.id(), s.info().tokenizerSha256(),
        jsc.broadcast(base.tokenizerJson()), getBatchSize() > 0 ? getBatchSize() : PeftParamDefs.SCORING_BATCH);
    int textIndex = dataset.schema().fieldIndex(getTextCol());
    List<String> labels = s.info().labels();
    JavaRDD<Row> rows = GpuStages.onModelExecutors(dataset.toDF().javaRDD().mapPartitions(
        (Iterator<Row> it) -> Chunks.map(it, CHUNK, chunk -> scoreChunk(chunk, scorer, textIndex, labels))));
    return spark.createDataFrame(rows, schema);
  }

  /** Appends the four output values to each row of a chunk (null values for a row without text). */
  private static List<Row> scoreChunk(List<Row> rows, TextScorer scorer, int textIndex, List<String> labels) {
    List<String> texts = new ArrayList<>(rows.size());
    for (Row row : rows) {
      texts.add(row.isNullAt(textIndex) ? null : row.getString(textIndex));
    }
    List<TextScorer.Scored> scored = scorer.score(texts);
    List<Row> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      Object[] values = new Object[row.length() + 4];
      for (int c = 0; c < row.length(); c++) {
        values[c] = row.get(c);
      }
      TextScorer.Scored s = scored.get(i);
      if (s.reason() == null) {
        double[] p = s.probabilities()[0];
        double[] logs = new double[p.length];
        int best = 0;
        for (int c = 0; c < p.length; c++) {
          logs[c] = Math.log(Math.max(p[c], 1e-45));
          best = p[c] > p[best] ? c : best;
        }
        values[row.length()] = Vectors.dense(logs);
        values[row.length() + 1] = Vectors.dense(p);
        values[row.length() + 2] = (double) best;
        values[row.length() + 3] = labels.get(best);
      }
      out.add(RowFactory.create(values));
    }
    return out;
  }

  @Override
  public PeftClassificationModel copy(ParamMap extra) {
    PeftClassificationModel copied = new PeftClassificationModel(uid, state);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new ModelStore.Writer(this);
  }

  public static MLReader<PeftClassificationModel> read() {
    return new ModelStore.Reader();
  }

  public static PeftClassificationModel load(String path) {
    return read().load(path);
  }

  /** What a model scores with: the adapter's files (verified), what they say, how text is prepared, the base. */
  record ModelState(AdapterFiles.Files files, AdapterInfo info, TextSettings text, String baseModel, String source)
      implements java.io.Serializable {

    ModelLocation location() {
      return baseModel == null || baseModel.isEmpty() ? ModelLocation.defaultModel() : new ModelLocation(baseModel);
    }

    /** Checks the files against the base (fingerprint, checksums, shapes) on the driver: one sentence otherwise. */
    static ModelState verified(Configuration hadoop, AdapterFiles.Files files, String source, String baseModel,
                               TextSettings text) {
      ModelLocation location = baseModel == null || baseModel.isEmpty() ? ModelLocation.defaultModel()
          : new ModelLocation(baseModel);
      BaseModel base = ExecutorModels.model(location, ExecutorModels.snapshot(hadoop), null);
      try {
        AdapterInfo info = AdapterFiles.load(base, files, source).info();
        return new ModelState(files, info, text, baseModel, source);
      } catch (IllegalArgumentException e) {
        throw new UserError("adapter " + e.getMessage() + ".", e);
      }
    }
  }
}
