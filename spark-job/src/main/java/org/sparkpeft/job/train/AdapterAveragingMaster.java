package org.sparkpeft.job.train;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementAddFunction;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingElementCombineFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.train.cache.FeatureCacheSpec;
import scala.reflect.ClassTag$;
import org.sparkpeft.job.gpu.GpuStages;

/**
 * DL4J's {@link ParameterAveragingTrainingMaster}, specialised so that a round moves only the trainable parameters
 * and their updater state.
 *
 * <p>Kept from DL4J: the master's fields and builder, the worker/result types ({@link AdapterAveragingWorker} extends
 * {@code ParameterAveragingTrainingWorker}, {@link AdapterResult} extends {@code ParameterAveragingTrainingResult}),
 * {@link #getWorkerInstance(SparkComputationGraph)} and {@link #processResults} as the round's two halves, and the
 * aggregation: DL4J's own {@code treeAggregate} with {@code ParameterAveragingElementAddFunction} /
 * {@code ParameterAveragingElementCombineFunction}, then sum / count.
 *
 * <p>Changed: {@code getWorkerInstance} broadcasts an {@link AdapterState} instead of a {@code NetBroadcastTuple}
 * (configuration + all parameters); {@code processResults} writes the average into the trainable ranges only
 * ({@link TrainableSlice#scatter}), so frozen parameters are never written and stay bit-identical for any worker
 * count (stock {@code setParams} of a float32 sum / 3 moves them by ~1e-8), and it destroys the round's broadcast
 * (stock never does).
 *
 * <p>Replaced (not reachable by overriding one method): the split of an RDD into rounds. Stock
 * {@code executeTrainingDirect} / {@code getSplitRDDs} / {@code doIteration} draw a random balanced split, rescan the
 * whole RDD per split and repartition with a shuffle every round, and {@code ExecuteWorkerMultiDataSetFlatMap}
 * re-batches with merges that break bucketed padding. {@link #fitRound} instead runs one round over a window of an
 * epoch's cached RDD (one partition per worker, the caller's deterministic order) through
 * {@link AdapterRoundFlatMap}. The stock entry points ({@code executeTraining*}) throw, so nothing takes the stock
 * path by accident.
 */
public class AdapterAveragingMaster extends ParameterAveragingTrainingMaster {

  /** What one round did: the workers averaged, their summed loss, and the bytes moved (payload, real serializer). */
  public record RoundOutcome(int workers, double lossSum, long broadcastBytes, long collectedBytes) {}

  private final transient ModelSpec spec;
  private final transient Map<String, String> hadoopConf;
  private final transient TrainableSlice slice;
  private final transient String frozenChecksum;
  private final long seed;
  private final int classes;
  private final FeatureCacheSpec featureCache;
  private transient AdapterState roundState;
  private transient long stateBytes;
  private transient long resultBytes = -1;
  private transient ParameterAveragingAggregationTuple lastTuple;

  protected AdapterAveragingMaster(Builder builder) {
    super(builder);
    this.spec = builder.spec;
    this.hadoopConf = Map.copyOf(builder.hadoopConf);
    this.slice = builder.slice;
    this.frozenChecksum = builder.frozenChecksum;
    this.seed = builder.seed;
    this.classes = spec.labels();
    this.featureCache = builder.featureCache;
  }

  public TrainableSlice slice() {
    return slice;
  }

  /**
   * One averaging round: every partition of {@code batches} with a minibatch in window {@code roundInEpoch} (its
   * {@code averagingFrequency} minibatches from {@code roundInEpoch * averagingFrequency}) fits them from the graph's
   * current trainable state; the graph then holds the average of their trainable parameters and updater state, and
   * the step count after {@code round} full rounds.
   *
   * @param epoch 0-based epoch
   * @param roundInEpoch 0-based round within the epoch (the data window)
   * @param round 1-based round over the run (step counts and seeds derive from it)
   */
  public RoundOutcome fitRound(SparkComputationGraph graph, JavaRDD<Minibatch> batches, int epoch, int roundInEpoch,
                               int round, int totalRounds) {
    ComputationGraph g = graph.getNetwork();
    g.getConfiguration().setIterationCount((round - 1) * averagingFrequency);
    g.getConfiguration().setEpochCount(epoch);
    roundState = new AdapterState(null, null, (round - 1) * averagingFrequency, epoch, round, seed, frozenChecksum,
        slice);
    AdapterAveragingWorker worker = getWorkerInstance(graph);
    Broadcast<AdapterState> broadcast = worker.broadcast();
    try {
      JavaRDD<ParameterAveragingTrainingResult> results = GpuStages.onModelExecutors(batches.mapPartitions(
          new AdapterRoundFlatMap(worker, roundInEpoch * averagingFrequency, averagingFrequency, classes)));
      lastTuple = null;
      processResults(null, graph, results, round, totalRounds);
    } finally {
      broadcast.destroy();
    }
    g.getConfiguration().setIterationCount(round * averagingFrequency);
    ParameterAveragingAggregationTuple tuple = lastTuple;
    if (tuple == null || tuple.getParametersSum() == null) {
      return new RoundOutcome(0, 0, 0, 0);
    }
    int workers = tuple.getAggregationsCount();
    return new RoundOutcome(workers, tuple.getScoreSum(), workers * stateBytes, workers * resultBytes);
  }

  /** The round's worker: its broadcast holds only the trainable state of {@code graph}, never a NetBroadcastTuple. */
  @Override
  public AdapterAveragingWorker getWorkerInstance(SparkComputationGraph graph) {
    if (roundState == null) {
      throw new IllegalStateException("adapter-only averaging runs through fitRound");
    }
    ComputationGraph g = graph.getNetwork();
    roundState.params = slice.gather(g.params());
    INDArray view = g.getUpdater(true).getStateViewArray();
    roundState.updater = view == null ? new float[0] : view.dup('c').reshape(view.length()).toFloatVector();
    stateBytes = serializedSize(roundState, AdapterState.class);
    Broadcast<AdapterState> broadcast = graph.getSparkContext().broadcast(roundState);
    WorkerConfiguration configuration = new WorkerConfiguration(true, rddDataSetNumExamples, batchSizePerWorker,
        averagingFrequency, prefetchNumBatches, false);
    return new AdapterAveragingWorker(broadcast, configuration, trainingHookList, listeners, getRouterProvider(), spec,
        hadoopConf, featureCache);
  }

  /**
   * DL4J's aggregation (tree-sum with the stock functions, divide by the count), written into the trainable ranges
   * of the driver's graph and its updater state. Unlike stock, the graph's score is not set: a result's score is its
   * worker's summed loss ({@link AdapterResult}), and the round's mean loss needs the round's example count, which
   * the caller has ({@link RoundOutcome#lossSum()}).
   */
  @Override
  protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
    if (network != null) {
      throw new UnsupportedOperationException("adapter-only averaging trains ComputationGraphs only");
    }
    ParameterAveragingAggregationTuple tuple = results.treeAggregate(null, new ParameterAveragingElementAddFunction(),
        new ParameterAveragingElementCombineFunction(), aggregationDepth);
    lastTuple = tuple;
    if (tuple == null || tuple.getParametersSum() == null) {
      return;
    }
    int count = tuple.getAggregationsCount();
    INDArray params = tuple.getParametersSum().divi(count);
    INDArray updater = tuple.getUpdaterStateSum();
    ComputationGraph g = graph.getNetwork();
    slice.scatter(params.toFloatVector(), g.params());
    INDArray view = g.getUpdater(true).getStateViewArray();
    if (updater != null && view != null) {
      updater.divi(count);
      view.assign(updater.castTo(view.dataType()).reshape(view.shape()));
    }
    if (resultBytes < 0) {
      resultBytes = serializedSize(new AdapterResult(params, updater, 0, 0, 0), ParameterAveragingTrainingResult.class);
    }
    Nd4j.getExecutioner().commit();
  }

  private static <T> long serializedSize(T value, Class<T> type) {
    ByteBuffer bytes = SparkEnv.get().serializer().newInstance().serialize(value, ClassTag$.MODULE$.apply(type));
    return bytes.remaining();
  }

  @Override
  public void executeTraining(SparkDl4jMultiLayer network, JavaRDD<DataSet> trainingData) {
    throw stockPath();
  }

  @Override
  public void executeTraining(SparkComputationGraph graph, JavaRDD<DataSet> trainingData) {
    throw stockPath();
  }

  @Override
  public void executeTrainingMDS(SparkComputationGraph graph, JavaRDD<MultiDataSet> trainingData) {
    throw stockPath();
  }

  @Override
  public void executeTrainingPaths(SparkDl4jMultiLayer network, SparkComputationGraph graph, JavaRDD<String> paths,
                                   DataSetLoader dsLoader, MultiDataSetLoader mdsLoader) {
    throw stockPath();
  }

  private static UnsupportedOperationException stockPath() {
    return new UnsupportedOperationException("adapter-only averaging runs round by round through fitRound");
  }

  /** DL4J's builder, plus what adapter-only rounds need; {@link #build} fixes the settings they rely on. */
  public static class Builder extends ParameterAveragingTrainingMaster.Builder {

    private final ModelSpec spec;
    private final TrainableSlice slice;
    private final String frozenChecksum;
    private final Map<String, String> hadoopConf;
    private final long seed;
    private FeatureCacheSpec featureCache;

    /**
     * @param workers partitions per round
     * @param spec how executors build the model
     * @param slice the driver's trainable slice
     * @param frozenChecksum the driver's {@link TrainableSlice#frozenChecksum}
     * @param hadoopConf Hadoop settings for executors to read the base
     * @param seed the run's seed (per-task seeds derive from it)
     */
    public Builder(int workers, ModelSpec spec, TrainableSlice slice, String frozenChecksum,
                   Map<String, String> hadoopConf, long seed) {
      super(workers, 1);
      this.spec = spec;
      this.slice = slice;
      this.frozenChecksum = frozenChecksum;
      this.hadoopConf = hadoopConf;
      this.seed = seed;
    }

    /** Workers fit above the frozen trunk on cached features ({@code null}: no cache, the default). */
    public Builder featureCache(FeatureCacheSpec featureCache) {
      this.featureCache = featureCache;
      return this;
    }

    @Override
    public Builder batchSizePerWorker(int batchSizePerWorker) {
      super.batchSizePerWorker(batchSizePerWorker);
      return this;
    }

    @Override
    public Builder averagingFrequency(int averagingFrequency) {
      super.averagingFrequency(averagingFrequency);
      return this;
    }

    @Override
    public Builder aggregationDepth(int aggregationDepth) {
      super.aggregationDepth(aggregationDepth);
      return this;
    }

    /** Updater state always travels; data is never exported or repartitioned by DL4J; no stats; seeded. */
    @Override
    public AdapterAveragingMaster build() {
      saveUpdater(true);
      rddTrainingApproach(RDDTrainingApproach.Direct);
      repartionData(Repartition.Never);
      collectTrainingStats(false);
      rngSeed(seed);
      return new AdapterAveragingMaster(this);
    }
  }
}
