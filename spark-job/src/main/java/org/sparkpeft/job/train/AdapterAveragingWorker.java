package org.sparkpeft.job.train;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.storage.StatsStorageRouterProvider;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.train.cache.FeatureCacheSpec;
import org.sparkpeft.job.train.cache.FeatureStore;
import org.sparkpeft.job.train.cache.TrunkFeatures;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TrunkSplit;

/**
 * DL4J's {@link ParameterAveragingTrainingWorker}, specialised for adapter-only averaging. The stock worker builds a
 * new graph from the broadcast configuration and <em>all</em> parameters on every round in every task; this one
 * borrows the executor's cached graph ({@link ExecutorModels}: the frozen base imported once per JVM, checked by
 * fingerprint, and this worker checks the trainable slice and the frozen parameters' SHA-256 against the driver's once
 * per graph), overwrites only its trainable parameters, updater state and step counters from the round's
 * {@link AdapterState}, seeds the task's randomness from (seed, epoch, round, partition), and returns only the
 * trainable slice ({@link AdapterResult}). With the frozen-trunk feature cache ({@link FeatureCacheSpec}), a step
 * fits the graph's upper part on the trunk's stored output instead ({@link #fit}). {@code processMinibatch} (hooks + {@code graph.fit}) is DL4J's; the parent
 * gets a {@code null} broadcast because its {@code NetBroadcastTuple} is never used, and training stats must stay
 * off (the parent creates its stats helper only in the stock {@code getInitialModelGraph}).
 */
public class AdapterAveragingWorker extends ParameterAveragingTrainingWorker {

  private static final long serialVersionUID = 1L;

  /** Graphs of this JVM whose slice and frozen base were checked against a driver's. */
  private static final Set<ComputationGraph> VERIFIED = Collections.synchronizedSet(
      Collections.newSetFromMap(new WeakHashMap<>()));

  private final Broadcast<AdapterState> state;
  private final ModelSpec spec;
  private final Map<String, String> hadoopConf;
  private final FeatureCacheSpec cache;
  private transient PeftModel model;
  private transient TrunkSplit split;
  private transient FeatureStore store;
  private transient double lossSum;
  private transient long examples;
  private transient int steps;

  public AdapterAveragingWorker(Broadcast<AdapterState> state, WorkerConfiguration configuration,
                                Collection<TrainingHook> hooks, Collection<TrainingListener> listeners,
                                StatsStorageRouterProvider routerProvider, ModelSpec spec,
                                Map<String, String> hadoopConf, FeatureCacheSpec cache) {
    super(null, true, configuration, hooks, listeners, routerProvider);
    if (configuration.isCollectTrainingStats()) {
      throw new IllegalArgumentException("training stats are not supported by adapter-only averaging");
    }
    this.state = state;
    this.spec = spec;
    this.hadoopConf = hadoopConf;
    this.cache = cache;
  }

  /** This task's graph: the executor's cached one, holding the round's trainable state. */
  @Override
  public ComputationGraph getInitialModelGraph() {
    AdapterState s = state.value();
    model = ExecutorModels.borrow(spec, k -> spec.build(hadoopConf));
    ComputationGraph graph = model.graph();
    verify(model, s);
    load(graph, s);
    split = cache == null ? null : TrunkFeatures.split(model);
    if (split != null) {
      split.syncCounters();
      store = FeatureStore.open(cache);
    }
    int partition = TaskContext.get() == null ? 0 : TaskContext.getPartitionId();
    Nd4j.getRandom().setSeed(AdapterState.taskSeed(s.seed, s.epoch, s.round, partition));
    lossSum = 0;
    examples = 0;
    steps = 0;
    return graph;
  }

  /** Loads a round's trainable parameters, updater state and step counters into {@code graph} (copies, never adopts). */
  static void load(ComputationGraph graph, AdapterState s) {
    s.slice.scatter(s.params, graph.params());
    INDArray view = graph.getUpdater(true).getStateViewArray();
    if (view != null) {
      view.assign(Nd4j.createFromArray(s.updater).castTo(view.dataType()).reshape(view.shape()));
    } else if (s.updater.length != 0) {
      throw new IllegalStateException("the round carries updater state but the graph's updater has none");
    }
    graph.getConfiguration().setIterationCount(s.iteration);
    graph.getConfiguration().setEpochCount(s.epoch);
  }

  private static void verify(PeftModel model, AdapterState s) {
    ComputationGraph graph = model.graph();
    if (VERIFIED.contains(graph)) {
      return;
    }
    TrainableSlice local = TrainableSlice.of(model);
    if (!local.equals(s.slice)) {
      throw new IllegalStateException("this executor's model has trainable slice " + local + ", the driver's is "
          + s.slice);
    }
    String checksum = local.frozenChecksum(graph.params());
    if (!checksum.equals(s.frozenChecksum)) {
      throw new IllegalStateException("this executor's frozen parameters differ from the driver's (sha256 "
          + checksum + " vs " + s.frozenChecksum + ")");
    }
    VERIFIED.add(graph);
  }

  /**
   * One step on {@code batch}: with the feature cache, the upper graph ({@link TrunkSplit}) fits the batch's trunk
   * features (stored, or computed and stored), else {@code graph} fits the batch; the result after the last minibatch.
   */
  ParameterAveragingTrainingResult fit(Minibatch batch, int classes, ComputationGraph graph, boolean isLast) {
    if (split == null) {
      return processMinibatch(batch.toMultiDataSet(classes), graph, isLast);
    }
    processMinibatch(TrunkFeatures.batch(batch, classes, split, store, cache), split.upper(), false);
    return isLast ? getFinalResult(graph) : null;
  }

  /** DL4J's step (hooks + fit), plus this worker's loss and example count; the result after the last minibatch. */
  @Override
  public ParameterAveragingTrainingResult processMinibatch(MultiDataSet data, ComputationGraph graph, boolean isLast) {
    super.processMinibatch(data, graph, false);
    long n = data.getFeatures(0).size(0);
    lossSum += graph.score() * n; // the data loss: DecoupledWeightDecay adds no term to DL4J's score
    examples += n;
    steps++;
    return isLast ? getFinalResult(graph) : null;
  }

  @Override
  public ParameterAveragingTrainingResult getFinalResult(ComputationGraph graph) {
    INDArray view = graph.getUpdater(true).getStateViewArray();
    INDArray updater = view == null ? null : Nd4j.createFromArray(view.dup('c').reshape(view.length()).toFloatVector());
    float[] params = state.value().slice.gather(graph.params());
    return new AdapterResult(Nd4j.createFromArray(params), updater, lossSum, examples, steps);
  }

  Broadcast<AdapterState> broadcast() {
    return state;
  }

  /** Gives the borrowed graph back to the executor's pool (the next round overwrites all of its trainable state). */
  public void release() {
    if (model != null) {
      ExecutorModels.giveBack(spec, model);
      model = null;
      split = null;
      store = null;
    }
  }
}
