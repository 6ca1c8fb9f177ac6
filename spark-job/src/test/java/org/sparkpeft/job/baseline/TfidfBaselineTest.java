package org.sparkpeft.job.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.data.source.SpamAssassinCorpus;
import org.sparkpeft.job.data.PreparedData;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * The baseline on a small real dataset: 240 ham and 240 spam emails of the default corpus (every 5th and 2nd file of
 * one ham and one spam group), prepared at max length 128 with a 60/20/20 split.
 */
class TfidfBaselineTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static PreparedData data;

  @BeforeAll
  static void prepare() throws IOException {
    spark = LocalSpark.start("tfidf-baseline-test");
    Path corpus = SpamAssassinCorpus.ensure(SpamAssassinCorpus.defaultCacheDir());
    Path subset = tmp.resolve("corpus");
    copyEvery(corpus.resolve("easy-ham-1"), subset.resolve("easy-ham-1"), 5, 240);
    copyEvery(corpus.resolve("spam-1"), subset.resolve("spam-1"), 2, 240);
    String out = tmp.resolve("prepared").toUri().toString();
    Map<String, Object> input = SpamAssassinCorpus.inputSettings(subset);
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("output.path=" + out, "tokenizer.max-length=128",
        "split.seed=5", "split.train=0.6", "split.val=0.2", "split.test=0.2"), c -> input));
    data = new PreparedData(spark, out);
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  private static void copyEvery(Path from, Path to, int every, int count) throws IOException {
    Files.createDirectories(to);
    List<Path> files;
    try (Stream<Path> list = Files.list(from)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
    }
    for (int i = 0, copied = 0; i < files.size() && copied < count; i += every, copied++) {
      Files.copy(files.get(i), to.resolve(files.get(i).getFileName()));
    }
  }

  private static List<String> ids(Dataset<Row> rows) {
    List<String> ids = new ArrayList<>();
    for (Row r : rows.select(ShardSchema.ROW_ID).collectAsList()) {
      ids.add(r.getString(0));
    }
    ids.sort(null);
    return ids;
  }

  @Test
  void fitsOnTheTrainSplitChoosesOnValidationAndScoresFarAboveChance() {
    List<String> labels = data.labels();
    assertEquals(List.of("ham", "spam"), labels);
    TfidfBaseline.Outcome outcome = TfidfBaseline.run(data, labels);
    BaselineResult r = outcome.result();

    // the same split: every row the model was fitted on is a train row and every train row was used; val and test
    // are scored on exactly their splits' rows
    List<String> train = ids(data.rows("train"));
    List<String> val = ids(data.rows("val"));
    List<String> test = ids(data.rows("test"));
    assertEquals(train, ids(outcome.trained()));
    assertEquals(val, ids(outcome.validated()));
    assertEquals(test, ids(outcome.tested()));
    assertEquals(List.of((long) train.size(), (long) val.size(), (long) test.size()),
        List.of(r.trainRows(), r.valRows(), r.testRows()));
    assertTrue(train.size() > 200 && val.size() > 60 && test.size() > 60, train.size() + "/" + val.size() + "/"
        + test.size());

    // the scores reported are those of the predictions returned
    double[] testScores = TfidfBaseline.scores(outcome.tested(), labels);
    assertEquals(testScores[0], r.accuracy(), 1e-12);
    assertEquals(testScores[1], r.macroF1(), 1e-12);

    // regularisation chosen on validation macro-F1 over the whole grid (a tie keeps the stronger one)
    assertEquals(TfidfBaseline.INVERSE_STRENGTHS.size(), r.grid().size());
    BaselineResult.GridPoint best = r.grid().get(0);
    for (BaselineResult.GridPoint p : r.grid()) {
      if (p.valMacroF1() > best.valMacroF1()) {
        best = p;
      }
    }
    assertEquals(best.regParam(), r.regParam());
    assertEquals(best.valMacroF1(), r.valMacroF1(), 1e-12);

    // balanced classes: chance is 0.5; TF-IDF + LR separates ham and spam well
    assertTrue(r.accuracy() > 0.85 && r.macroF1() > 0.85, "test " + r.accuracy() + " / " + r.macroF1());
    assertTrue(r.valAccuracy() > 0.85 && r.valMacroF1() > 0.85, "val " + r.valAccuracy() + " / " + r.valMacroF1());
    assertTrue(r.features() > 1000, "terms: " + r.features());
    System.out.println(TfidfBaseline.summary(r));
  }
}
