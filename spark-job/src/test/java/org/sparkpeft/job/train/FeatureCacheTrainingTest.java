package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkEnv;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.report.TrainingReport;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;
import scala.collection.JavaConverters;

/**
 * The frozen-trunk feature cache on local[2] with MiniLM: training with the cache gives the same loss curve and the
 * same adapter as without it (head-only: pooled vectors cached; last_n: block 5's input hidden states cached), epoch 2
 * reads every example from the cache, a cap too small for all examples recomputes the rest (the miss path) with the
 * same result, and the run's store is gone when it ends.
 */
class FeatureCacheTrainingTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path data;
  private static final Counters COUNTERS = new Counters();

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.builder("feature-cache-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    spark.sparkContext().addSparkListener(COUNTERS);
    data = TicketData.prepare(spark, tmp, 240);
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void headOnlyTrainsTheSameWithTheCacheAndEpochTwoReadsEveryExampleFromIt() {
    AdapterTrainer.Outcome off = train("head", "off", 4096);
    COUNTERS.clear();
    AdapterTrainer.Outcome cached = train("head", "auto", 4096);
    assertSame(off, cached);
    long rows = trainRows();
    assertEquals(2 * rows, COUNTERS.get("feature cache hits") + COUNTERS.get("feature cache misses"));
    assertTrue(COUNTERS.get("feature cache hits") >= rows, "epoch 2 reads every example: " + COUNTERS);
    assertEquals(0, COUNTERS.get("feature cache over the cap"));
    assertNoStoreLeft();
  }

  @Test
  void lastNTrainsTheSameWithTheCacheAndWithACapThatHoldsOnlySomeExamples() {
    AdapterTrainer.Outcome off = train("last_n", "off", 4096);
    COUNTERS.clear();
    AdapterTrainer.Outcome cached = train("last_n", "auto", 4096);
    assertSame(off, cached);
    long rows = trainRows();
    assertTrue(COUNTERS.get("feature cache hits") >= rows, "epoch 2 reads every example: " + COUNTERS);
    long uncappedMisses = COUNTERS.get("feature cache misses");

    // each example's block-5 input is ~10-20 tokens x 384 floats: 1 MB holds part of the epoch, the rest is recomputed
    COUNTERS.clear();
    AdapterTrainer.Outcome capped = train("last_n", "auto", 1);
    assertSame(off, capped);
    assertTrue(COUNTERS.get("feature cache over the cap") > 0, "the cap must refuse some examples: " + COUNTERS);
    assertTrue(COUNTERS.get("feature cache misses") > uncappedMisses, "some examples must be recomputed: " + COUNTERS);
    assertTrue(COUNTERS.get("feature cache hits") > 0, "epoch 2 must read some examples: " + COUNTERS);
    assertNoStoreLeft();
  }

  private static AdapterTrainer.Outcome train(String method, String cache, int maxMb) {
    List<String> settings = new ArrayList<>(List.of("data=" + data.toUri(), "output.path=unused",
        "method.type=" + method, "train.epochs=2", "train.workers=2", "train.batch-size=8",
        "train.averaging-frequency=2", "eval.every-rounds=0", "optimizer.lr=2e-3", "head.dropout=0.1",
        "train.feature-cache=" + cache, "train.feature-cache-max-mb=" + maxMb));
    if (method.equals("last_n")) {
      settings.add("method.options.n=1");
    }
    return new AdapterTrainer(spark, TrainConfigLoader.load(null, settings)).run();
  }

  private static void assertSame(AdapterTrainer.Outcome expected, AdapterTrainer.Outcome actual) {
    List<TrainingReport.LossPoint> a = expected.report().train().lossCurve();
    List<TrainingReport.LossPoint> b = actual.report().train().lossCurve();
    assertEquals(a.size(), b.size(), "rounds");
    assertTrue(Math.abs(a.get(0).loss() - a.get(a.size() - 1).loss()) > 0.01, "the run must train: " + a);
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).loss(), b.get(i).loss(), 1e-4 * Math.max(1, a.get(i).loss()), "loss of round " + (i + 1));
    }
    float[] x = TrainableSlice.of(expected.model()).gather(expected.model().graph().params());
    float[] y = TrainableSlice.of(actual.model()).gather(actual.model().graph().params());
    assertEquals(x.length, y.length);
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs(x[i] - y[i]));
    }
    assertTrue(max < 1e-4, "adapter tensors differ by " + max);
    assertEquals(expected.report().test().accuracy(), actual.report().test().accuracy(), 1e-9);
  }

  private static long trainRows() {
    return spark.read().parquet(data.resolve("train").toString()).count();
  }

  private static void assertNoStoreLeft() {
    for (File dir : SparkEnv.get().blockManager().diskBlockManager().localDirs()) {
      String[] left = dir.list((d, name) -> name.startsWith("sparkpeft-features-"));
      assertEquals(0, left == null ? 0 : left.length, "feature stores left in " + dir);
    }
  }

  /** The largest value each named accumulator reached in a completed stage (accumulators only grow). */
  static final class Counters extends SparkListener {
    private final Map<String, Long> values = new ConcurrentHashMap<>();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stage) {
      for (AccumulableInfo info : JavaConverters.asJavaCollection(stage.stageInfo().accumulables().values())) {
        if (info.name().isDefined() && info.name().get().startsWith("feature cache") && info.value().isDefined()) {
          values.merge(info.name().get(), ((Number) info.value().get()).longValue(), Math::max);
        }
      }
    }

    long get(String name) {
      return values.getOrDefault(name, 0L);
    }

    void clear() {
      values.clear();
    }

    @Override
    public String toString() {
      return values.toString();
    }
  }
}
