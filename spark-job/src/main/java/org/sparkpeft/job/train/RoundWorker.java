package org.sparkpeft.job.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.models.peft.PeftModel;

/**
 * One worker's part of a round: takes this partition's minibatches of the round's window, loads the broadcast
 * trainable state into this executor's cached model (the frozen base never travels), fits them and returns the
 * trainable state. A partition with no minibatch left in the window returns nothing.
 */
final class RoundWorker implements FlatMapFunction<Iterator<Minibatch>, RoundMessages.Result> {

  private final ModelSpec spec;
  private final Map<String, String> hadoopConf;
  private final Broadcast<RoundMessages.State> state;
  private final int skip;
  private final int take;

  RoundWorker(ModelSpec spec, Map<String, String> hadoopConf, Broadcast<RoundMessages.State> state, int skip, int take) {
    this.spec = spec;
    this.hadoopConf = hadoopConf;
    this.state = state;
    this.skip = skip;
    this.take = take;
  }

  @Override
  public Iterator<RoundMessages.Result> call(Iterator<Minibatch> batches) {
    for (int i = 0; i < skip && batches.hasNext(); i++) {
      batches.next();
    }
    List<Minibatch> window = new ArrayList<>(take);
    while (window.size() < take && batches.hasNext()) {
      window.add(batches.next());
    }
    if (window.isEmpty()) {
      return Collections.emptyIterator();
    }
    PeftModel model = ExecutorModels.borrow(spec, k -> spec.build(hadoopConf));
    try {
      RoundMessages.State s = state.value();
      ComputationGraph graph = model.graph();
      TrainableState.setParams(model, s.params);
      TrainableState.setUpdaterState(graph, s.updater);
      graph.getConfiguration().setIterationCount(s.iteration);
      graph.getConfiguration().setEpochCount(s.epoch);
      double lossSum = 0;
      long examples = 0;
      for (Minibatch batch : window) {
        graph.fit(batch.toMultiDataSet(spec.labels()));
        lossSum += graph.score() * batch.size();
        examples += batch.size();
      }
      return List.of(new RoundMessages.Result(TrainableState.params(model), TrainableState.updaterState(graph), lossSum,
          examples, window.size())).iterator();
    } finally {
      ExecutorModels.giveBack(spec, model);
    }
  }
}
