package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * Adapter-only averaging rounds of {@link AdapterAveragingMaster} on local[2] (2 task attempts per task), LoRA on
 * MiniLM: DL4J's Spark-vs-single-machine equivalence, frozen parameters with 3 workers, and Spark's task retry.
 */
class AdapterAveragingMasterTest {

  /** Times {@link FailOnce} threw, across the JVM (local mode: tasks run here). */
  static final AtomicInteger FAILURES = new AtomicInteger();

  private static SparkSession spark;
  private static JavaSparkContext jsc;
  private static BaseModel base;
  private static Map<String, String> hadoopConf;

  @BeforeAll
  static void start() {
    spark = LocalSpark.builder("averaging-master-test").master("local[2,2]")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    hadoopConf = ExecutorModels.snapshot(spark.sparkContext().hadoopConfiguration());
    base = ExecutorModels.model(ModelLocation.defaultModel(), hadoopConf, null);
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void twoWorkersAveragingOnceEqualTheAverageOfTwoSingleMachineFits() {
    ModelSpec spec = spec("0");
    PeftModel driver = spec.build(base);
    TrainableSlice slice = TrainableSlice.of(driver);
    AdapterAveragingMaster master = master(spec, driver, 2, 1);
    SparkComputationGraph graph = new SparkComputationGraph(jsc, driver.graph(), master);
    float[] params0 = slice.gather(driver.graph().params());
    float[] updater0 = updater(driver.graph());
    List<Minibatch> batches = List.of(batch(1, 4, 12), batch(2, 4, 9));

    AdapterAveragingMaster.RoundOutcome outcome = master.fitRound(graph, jsc.parallelize(batches, 2), 0, 0, 1, 1);
    assertEquals(2, outcome.workers());

    // single machine: each minibatch fitted from the same start state, then averaged (params and Adam state)
    float[][] params = new float[2][];
    float[][] updaters = new float[2][];
    for (int i = 0; i < 2; i++) {
      PeftModel single = spec.build(base);
      AdapterAveragingWorker.load(single.graph(), new AdapterState(params0, updater0, 0, 0, 1, 42, null, slice));
      single.graph().fit(batches.get(i).toMultiDataSet(2));
      params[i] = slice.gather(single.graph().params());
      updaters[i] = updater(single.graph());
    }
    assertTrue(maxDiff(params[0], params[1]) > 1e-4, "the two minibatches must train differently");
    assertTrue(maxDiff(params0, slice.gather(driver.graph().params())) > 1e-4, "the round must train");
    assertTrue(maxDiff(average(params), slice.gather(driver.graph().params())) < 1e-6,
        "params: max diff " + maxDiff(average(params), slice.gather(driver.graph().params())));
    assertTrue(maxDiff(average(updaters), updater(driver.graph())) < 1e-6,
        "Adam state: max diff " + maxDiff(average(updaters), updater(driver.graph())));
    assertEquals(1, driver.graph().getConfiguration().getIterationCount());
    assertThrows(UnsupportedOperationException.class, () -> master.executeTrainingMDS(graph, null));
  }

  @Test
  void frozenParamsStayBitIdenticalWithThreeWorkersAndOnlyTheAdapterTravels() {
    ModelSpec spec = spec("0.1");
    PeftModel driver = spec.build(base);
    TrainableSlice slice = TrainableSlice.of(driver);
    String before = slice.frozenChecksum(driver.graph().params());
    AdapterAveragingMaster master = master(spec, driver, 3, 2);
    SparkComputationGraph graph = new SparkComputationGraph(jsc, driver.graph(), master);
    List<Minibatch> batches = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batches.add(batch(10 + i, 3, 8 + i));
    }
    JavaRDD<Minibatch> rdd = jsc.parallelize(batches, 3).cache();
    float[] params0 = slice.gather(driver.graph().params());

    rdd.count();
    ResultBytes wire = new ResultBytes();
    spark.sparkContext().addSparkListener(wire);
    AdapterAveragingMaster.RoundOutcome first = master.fitRound(graph, rdd, 0, 0, 1, 2);
    long collectedOnTheWire = wire.await(3);
    spark.sparkContext().removeSparkListener(wire);
    AdapterAveragingMaster.RoundOutcome second = master.fitRound(graph, jsc.parallelize(batches.subList(0, 5), 3), 0, 0,
        2, 2);

    assertEquals(3, first.workers());
    assertEquals(3, second.workers());
    assertEquals(before, slice.frozenChecksum(driver.graph().params()), "frozen params changed");
    assertEquals(before, slice.frozenChecksum(spec.build(base).graph().params()), "not the base's frozen params");
    assertTrue(maxDiff(params0, slice.gather(driver.graph().params())) > 1e-4, "the adapter must train");

    long payload = 4L * (slice.size() + slice.updaterSize());
    assertTrue(first.broadcastBytes() >= 3 * payload && first.broadcastBytes() < 3 * (payload + 4096),
        "broadcast " + first.broadcastBytes() + " vs 3 x " + payload);
    assertTrue(first.collectedBytes() >= 3 * payload && first.collectedBytes() < 3 * (payload + 4096),
        "collected " + first.collectedBytes() + " vs 3 x " + payload);
    // Spark's own count of the bytes the 3 tasks sent back (results + task metrics) agrees with the measurement
    assertTrue(Math.abs(collectedOnTheWire - first.collectedBytes()) < 3 * 8192,
        "task results on the wire " + collectedOnTheWire + " vs measured " + first.collectedBytes());
    long stock = 2L * 3 * 4 * (slice.numParams() + slice.updaterSize());
    assertTrue((first.broadcastBytes() + first.collectedBytes()) * 50 < stock,
        "moved " + (first.broadcastBytes() + first.collectedBytes()) + " vs stock " + stock);
  }

  @Test
  void aWorkerTaskThatFailsMidRoundIsRetriedAndTheRoundEqualsTheUndisturbedOne() {
    ModelSpec spec = spec("0.1");
    PeftModel driver = spec.build(base);
    TrainableSlice slice = TrainableSlice.of(driver);
    AdapterAveragingMaster master = master(spec, driver, 2, 2);
    SparkComputationGraph graph = new SparkComputationGraph(jsc, driver.graph(), master);
    float[] params0 = slice.gather(driver.graph().params());
    float[] updater0 = updater(driver.graph());
    List<Minibatch> batches = List.of(batch(21, 4, 10), batch(22, 4, 7), batch(23, 4, 12), batch(24, 4, 9));

    master.fitRound(graph, jsc.parallelize(batches, 2), 1, 0, 5, 5);
    float[] undisturbed = slice.gather(driver.graph().params());
    float[] undisturbedUpdater = updater(driver.graph());

    AdapterAveragingWorker.load(driver.graph(), new AdapterState(params0, updater0, 0, 0, 1, 42, null, slice));
    FAILURES.set(0);
    FailOnce hook = new FailOnce();
    master.addHook(hook);
    AdapterAveragingMaster.RoundOutcome retried = master.fitRound(graph, jsc.parallelize(batches, 2), 1, 0, 5, 5);
    master.removeHook(hook);

    assertEquals(1, FAILURES.get(), "the hook must have failed one task attempt");
    assertEquals(2, retried.workers());
    assertTrue(maxDiff(params0, undisturbed) > 1e-4, "the round must train");
    assertArrayEquals(undisturbed, slice.gather(driver.graph().params()), 1e-7f);
    assertArrayEquals(undisturbedUpdater, updater(driver.graph()), 1e-9f);
  }

  /** Sums {@code resultSize} (bytes a task sent back to the driver) over successful tasks. */
  static final class ResultBytes extends SparkListener {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger tasks = new AtomicInteger();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskInfo().successful() && end.taskMetrics() != null) {
        bytes.addAndGet(end.taskMetrics().resultSize());
        tasks.incrementAndGet();
      }
    }

    long await(int expectedTasks) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (tasks.get() < expectedTasks && System.currentTimeMillis() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(expectedTasks, tasks.get(), "tasks of the round");
      return bytes.get();
    }
  }

  /** Throws after the first minibatch of partition 1's first attempt: the pooled graph has already trained. */
  static final class FailOnce implements TrainingHook {
    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
      TaskContext task = TaskContext.get();
      if (task.partitionId() == 1 && task.attemptNumber() == 0) {
        FAILURES.incrementAndGet();
        throw new IllegalStateException("injected failure mid-round");
      }
    }
  }

  private AdapterAveragingMaster master(ModelSpec spec, PeftModel driver, int workers, int frequency) {
    TrainableSlice slice = TrainableSlice.of(driver);
    return new AdapterAveragingMaster.Builder(workers, spec, slice, slice.frozenChecksum(driver.graph().params()),
        hadoopConf, 42).batchSizePerWorker(4).averagingFrequency(frequency).build();
  }

  /** LoRA r=4 on query+value with a linear head; {@code dropout} for both LoRA and the head. */
  private static ModelSpec spec(String dropout) {
    return new ModelSpec(ModelLocation.defaultModel(), base.fingerprint(), "lora", Map.of("r", "4", "lora_alpha", "8",
        "lora_dropout", dropout, "target_modules", "query,value"), 2, 0, Double.parseDouble(dropout), 1e-3, 0.01, 0, 10,
        42);
  }

  /** {@code rows} token sequences ([CLS] words [SEP], lengths up to {@code width}) with labels 0/1. */
  private static Minibatch batch(long seed, int rows, int width) {
    Random random = new Random(seed);
    int[][] ids = new int[rows][];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      int length = i == 0 ? width : 3 + random.nextInt(width - 2);
      ids[i] = new int[length];
      ids[i][0] = 101;
      for (int j = 1; j < length - 1; j++) {
        ids[i][j] = 1000 + random.nextInt(5000);
      }
      ids[i][length - 1] = 102;
      labels[i] = random.nextInt(2);
    }
    return new Minibatch(ids, labels);
  }

  private static float[] updater(ComputationGraph graph) {
    INDArray view = graph.getUpdater(true).getStateViewArray();
    return view.dup('c').reshape(view.length()).toFloatVector();
  }

  private static float[] average(float[][] vectors) {
    float[] out = new float[vectors[0].length];
    for (int i = 0; i < out.length; i++) {
      double sum = 0;
      for (float[] v : vectors) {
        sum += v[i];
      }
      out[i] = (float) (sum / vectors.length);
    }
    return out;
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
