package org.sparkpeft.job.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.sparkpeft.job.batch.Minibatch;

/**
 * One worker's part of a round: DL4J's {@code ExecuteWorkerMultiDataSetFlatMap} with three changes. It takes this
 * round's window of the partition (skips {@code skip} minibatches, fits at most {@code take}); it reads cached
 * {@link Minibatch}es and pads each on its own ({@link Minibatch#toMultiDataSet}) instead of re-batching through
 * {@code IteratorMultiDataSetIterator}, whose merge would join bucket-padded batches of different widths; and it
 * gives the worker's pooled graph back when done. An empty window yields nothing, so that partition is left out of
 * the average, as in stock DL4J.
 */
final class AdapterRoundFlatMap implements FlatMapFunction<Iterator<Minibatch>, ParameterAveragingTrainingResult> {

  private static final long serialVersionUID = 1L;

  private final AdapterAveragingWorker worker;
  private final int skip;
  private final int take;
  private final int classes;

  AdapterRoundFlatMap(AdapterAveragingWorker worker, int skip, int take, int classes) {
    this.worker = worker;
    this.skip = skip;
    this.take = take;
    this.classes = classes;
  }

  @Override
  public Iterator<ParameterAveragingTrainingResult> call(Iterator<Minibatch> batches) {
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
    try {
      ComputationGraph graph = worker.getInitialModelGraph();
      ParameterAveragingTrainingResult result = null;
      for (int i = 0; i < window.size(); i++) {
        result = worker.fit(window.get(i), classes, graph, i == window.size() - 1);
      }
      return List.of(result).iterator();
    } finally {
      worker.release();
    }
  }
}
