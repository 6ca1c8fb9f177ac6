package org.sparkpeft.job.baseline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.ml.functions.vector_to_array;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.eval.ConfusionCounts;

/**
 * The baseline every training run is compared with: TF-IDF of 1-2 grams (unit length per row, as scikit-learn's
 * TfidfVectorizer) + multinomial logistic regression (Spark ML), fitted on the train split of the prepared data, its L2 regularisation chosen on validation macro-F1 (never on
 * test), then scored on validation and test. The terms are the prepared token ids (word pieces, truncated at the
 * prepared max length, as the fine-tuned model sees them): prepared data keeps no text. {@code [CLS]} and
 * {@code [SEP]} are in every row, so their IDF is 0 and they weigh nothing.
 *
 * <p>Chunked data ({@code tokenizer.long-text = chunk}): fitted on the windows as rows (each with its document's
 * label), as the model is trained, and scored per document as the model is: the mean of a document's window
 * probabilities, then argmax. The validation and test outcomes then hold one row per document, its id as row id.
 */
public final class TfidfBaseline {

  /**
   * Inverse regularisation strengths tried (scikit-learn's C: Spark's L2 regParam is 1 / (C x train rows)), strongest
   * regularisation first; on a validation tie the stronger one is kept.
   */
  public static final List<Double> INVERSE_STRENGTHS = List.of(1.0, 10.0, 100.0);
  /** The inverse strength when the validation split is empty (nothing to choose on). */
  public static final double DEFAULT_INVERSE_STRENGTH = 10.0;
  /** At most this many terms (the most frequent in the train split). */
  public static final int MAX_FEATURES = 1 << 17;
  /** Terms must occur in at least 2 train rows (1 when the train split has fewer than this many rows). */
  static final int MIN_ROWS_FOR_MIN_DF = 100;
  static final int MAX_ITER = 100;
  static final double TOLERANCE = 1e-4;
  public static final String TERMS = "prepared token ids (word pieces), 1-2 grams";
  public static final String PREDICTION = "prediction";
  /** Appended to {@link #TERMS} for chunked data. */
  public static final String CHUNKED_TERMS = ", fitted on windows, scored per document (mean of window probabilities)";

  private static final Logger LOG = LoggerFactory.getLogger(TfidfBaseline.class);
  private static final String GRAMS = "grams";
  private static final String FEATURES = "features";
  static final String DOCUMENT = "document";

  private TfidfBaseline() {}

  /**
   * The result, and what it was computed on: each split's rows as {@code (row_id, label, prediction)} — for train
   * the rows the chosen model was fitted on (its training summary). The datasets are lazy: reading them re-runs the
   * features from the prepared data.
   */
  public record Outcome(BaselineResult result, Dataset<Row> trained, Dataset<Row> validated, Dataset<Row> tested) {}

  /** Fits, chooses and scores the baseline on {@code data}; {@code labels} are its label names by id. */
  public static Outcome run(PreparedData data, List<String> labels) {
    long start = System.nanoTime();
    Dataset<Row> trainRows = data.rows("train");
    SparkSession spark = trainRows.sparkSession();
    String description = spark.sparkContext().getLocalProperty("spark.job.description");
    spark.sparkContext().setJobDescription("sparkpeft baseline · TF-IDF + logistic regression");
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      boolean chunked = data.chunked();
      Dataset<Row> train = cache(grams(trainRows), cached);
      long trainCount = train.count();
      CountVectorizer counts = new CountVectorizer().setInputCol(GRAMS).setOutputCol("tf")
          .setVocabSize(MAX_FEATURES).setMinDF(trainCount >= MIN_ROWS_FOR_MIN_DF ? 2 : 1);
      IDF idf = new IDF().setInputCol("tf").setOutputCol("tfidf");
      Normalizer unitLength = new Normalizer().setInputCol("tfidf").setOutputCol(FEATURES).setP(2);
      PipelineModel tfidf = new Pipeline().setStages(new PipelineStage[] {counts, idf, unitLength}).fit(train);
      int vocabulary = ((CountVectorizerModel) tfidf.stages()[0]).vocabulary().length;
      Dataset<Row> trainFeatures = cache(features(tfidf, train), cached);
      Dataset<Row> val = cache(features(tfidf, grams(data.rows("val"))), cached);
      Dataset<Row> test = cache(features(tfidf, grams(data.rows("test"))), cached);
      long valCount = val.count();

      List<BaselineResult.GridPoint> grid = new ArrayList<>();
      LogisticRegressionModel best = null;
      double[] bestScores = {Double.NaN, Double.NaN};
      if (valCount == 0) {
        best = fit(trainFeatures, regParam(DEFAULT_INVERSE_STRENGTH, trainCount));
      } else {
        for (double c : INVERSE_STRENGTHS) {
          double reg = regParam(c, trainCount);
          LogisticRegressionModel model = fit(trainFeatures, reg);
          double[] scores = scores(predict(model, val, chunked), labels);
          grid.add(new BaselineResult.GridPoint(reg, scores[0], scores[1]));
          if (best == null || scores[1] > bestScores[1]) {
            best = model;
            bestScores = scores;
          }
        }
      }
      Dataset<Row> tested = predict(best, test, chunked);
      double[] testScores = scores(tested, labels);
      BaselineResult result = new BaselineResult(chunked ? TERMS + CHUNKED_TERMS : TERMS, vocabulary, best.getRegParam(), grid, trainCount, valCount,
          test.count(), bestScores[0], bestScores[1], testScores[0], testScores[1], (System.nanoTime() - start) / 1e9);
      LOG.info(summary(result));
      Dataset<Row> trained = best.summary().predictions().select(ShardSchema.ROW_ID, ShardSchema.LABEL, PREDICTION);
      return new Outcome(result, trained, predict(best, val, chunked), tested);
    } finally {
      cached.forEach(Dataset::unpersist);
      spark.sparkContext().setJobDescription(description);
    }
  }

  /** One log line: what was fitted, what was chosen, and the scores. */
  static String summary(BaselineResult r) {
    StringBuilder grid = new StringBuilder();
    for (BaselineResult.GridPoint p : r.grid()) {
      grid.append(grid.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2g: %.4f", p.regParam(),
          p.valMacroF1()));
    }
    return String.format(Locale.ROOT, "baseline TF-IDF (%s, %,d terms) + logistic regression on %,d train rows: "
        + "reg %.2g%s; validation accuracy %.4f, macro-F1 %.4f; test accuracy %.4f, macro-F1 %.4f; %.1f s", r.terms(),
        r.features(), r.trainRows(), r.regParam(), grid.length() == 0 ? " (no validation rows to choose on)"
            : " chosen on validation macro-F1 (" + grid + ")", r.valAccuracy(), r.valMacroF1(), r.accuracy(),
        r.macroF1(), r.seconds());
  }

  /**
   * Row id (for chunked data the document id: {@link #DOCUMENT}), label and the 1-2 grams of the token ids (a bigram
   * is "a b", never equal to a unigram).
   */
  static Dataset<Row> grams(Dataset<Row> rows) {
    Dataset<Row> terms = rows.select(col(ShardSchema.ROW_ID), document(rows), col(ShardSchema.LABEL),
        expr("transform(" + ShardSchema.INPUT_IDS + ", id -> cast(id as string))").as("terms"));
    Dataset<Row> bigrams = new NGram().setN(2).setInputCol("terms").setOutputCol("bigrams").transform(terms);
    return bigrams.select(col(ShardSchema.ROW_ID), col(DOCUMENT), col(ShardSchema.LABEL),
        concat(col("terms"), col("bigrams")).as(GRAMS));
  }

  /** The document a row belongs to: {@code doc_id} in chunked data, else the row itself. */
  private static Column document(Dataset<Row> rows) {
    return java.util.Arrays.asList(rows.columns()).contains(ShardSchema.DOC_ID) ? col(ShardSchema.DOC_ID).as(DOCUMENT)
        : col(ShardSchema.ROW_ID).as(DOCUMENT);
  }

  private static Dataset<Row> features(PipelineModel tfidf, Dataset<Row> grams) {
    return tfidf.transform(grams).select(ShardSchema.ROW_ID, DOCUMENT, ShardSchema.LABEL, FEATURES);
  }

  private static Dataset<Row> cache(Dataset<Row> rows, List<Dataset<Row>> cached) {
    Dataset<Row> persisted = rows.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(persisted);
    return persisted;
  }

  /** Spark's regParam for scikit-learn's C: the penalty is regParam/2 |w|^2 next to the mean (not summed) loss. */
  static double regParam(double inverseStrength, long trainRows) {
    return 1.0 / (inverseStrength * Math.max(1, trainRows));
  }

  private static LogisticRegressionModel fit(Dataset<Row> train, double reg) {
    // L2 on the unit-length TF-IDF vectors (no standardisation, which would inflate rare terms), as text classifiers
    // usually are
    return new LogisticRegression().setFamily("multinomial").setRegParam(reg).setElasticNetParam(0)
        .setStandardization(false).setMaxIter(MAX_ITER).setTol(TOLERANCE).setLabelCol(ShardSchema.LABEL)
        .setFeaturesCol(FEATURES).fit(train);
  }

  /**
   * {@code (row_id, label, prediction)} per document: a document's rows' probabilities averaged, then argmax (the
   * first largest); its id is the row id. For data with one row per document, the model's own prediction.
   */
  static Dataset<Row> predict(LogisticRegressionModel model, Dataset<Row> features, boolean chunked) {
    Dataset<Row> scored = model.transform(features);
    if (!chunked) {
      return scored.select(ShardSchema.ROW_ID, ShardSchema.LABEL, PREDICTION);
    }
    return perDocument(scored);
  }

  /**
   * {@code (row_id, label, prediction)} per document of {@code scored} rows {@code (document, label, probability)}:
   * the mean of the document's probability vectors, then the first index of its largest value.
   */
  static Dataset<Row> perDocument(Dataset<Row> scored) {
    return scored.groupBy(col(DOCUMENT), col(ShardSchema.LABEL))
        .agg(Summarizer.mean(col("probability")).as("mean"))
        .select(col(DOCUMENT).as(ShardSchema.ROW_ID), col(ShardSchema.LABEL), vector_to_array(col("mean"), "float64").as("p"))
        .select(col(ShardSchema.ROW_ID), col(ShardSchema.LABEL),
            expr("cast(array_position(p, array_max(p)) - 1 as double)").as(PREDICTION));
  }

  /** {accuracy, macro-F1} of {@code (row_id, label, prediction)} rows; NaN for both when there are none. */
  static double[] scores(Dataset<Row> predicted, List<String> labels) {
    ConfusionCounts counts = new ConfusionCounts(labels.size());
    for (Row r : predicted.groupBy(ShardSchema.LABEL, PREDICTION).count().collectAsList()) {
      counts.addCount(r.getInt(0), (int) r.getDouble(1), r.getLong(2));
    }
    if (counts.examples() == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    ClassificationMetrics m = counts.metrics(labels);
    return new double[] {m.accuracy(), m.macroF1()};
  }
}
