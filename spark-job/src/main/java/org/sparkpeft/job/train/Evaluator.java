package org.sparkpeft.job.train;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.eval.BatchScoring;
import org.sparkpeft.job.eval.ConfusionCounts;
import org.sparkpeft.job.gpu.GpuStages;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.models.peft.PeftModel;

/** Evaluation on Spark: each partition scores its minibatches with the broadcast trainable parameters. */
final class Evaluator {

  private Evaluator() {}

  /** {@code params}: the trainable parameters in {@code slice}'s order. */
  static ConfusionCounts evaluate(JavaRDD<Minibatch> batches, Broadcast<float[]> params, ModelSpec spec,
                                  TrainableSlice slice, Map<String, String> hadoopConf) {
    int classes = spec.labels();
    return GpuStages.onModelExecutors(batches.mapPartitions((Iterator<Minibatch> it) -> {
      if (!it.hasNext()) {
        return Collections.<ConfusionCounts>emptyIterator();
      }
      PeftModel model = ExecutorModels.borrow(spec, k -> spec.build(hadoopConf));
      try {
        ComputationGraph graph = model.graph();
        slice.scatter(params.value(), graph.params());
        ConfusionCounts counts = BatchScoring.score(graph, it, classes);
        return List.of(counts).iterator();
      } finally {
        ExecutorModels.giveBack(spec, model);
      }
    })).fold(new ConfusionCounts(classes), ConfusionCounts::merge);
  }
}
