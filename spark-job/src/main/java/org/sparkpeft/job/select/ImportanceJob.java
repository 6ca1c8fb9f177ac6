package org.sparkpeft.job.select;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.job.train.ModelSpec;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.auto.Importance;
import org.sparkpeft.models.peft.auto.ImportanceEstimator;
import org.sparkpeft.models.train.TokenBatch;

/**
 * The importance estimate on executors: the sample's minibatches spread over {@code partitions} tasks, each task
 * builds the head-only model of {@code spec} (the base from its executor's cache), loads the driver's fitted head
 * and sums its partition's gradients ({@link ImportanceEstimator}); Spark's {@code treeAggregate} adds the
 * partials (as flat double arrays, which need no serializer registration). The sums do not depend on how the
 * batches are partitioned, up to floating-point rounding.
 */
public final class ImportanceJob {

  private ImportanceJob() {}

  /**
   * @param spec the head-only model (method {@code head}) the estimate runs through
   * @param head the fitted head's parameters, by {@code layer_param} key, as float vectors in DL4J's 'c' order
   * @param template an empty accumulator of the base's groups (its layout)
   */
  public static Importance estimate(JavaSparkContext jsc, ModelSpec spec, Map<String, float[]> head,
                                    List<Minibatch> batches, int partitions, Map<String, String> hadoopConf,
                                    Importance template) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("no batches to estimate importance on");
    }
    JavaRDD<Minibatch> rdd = jsc.parallelize(batches, Math.max(1, Math.min(partitions, batches.size())));
    double[] zero = template.toFlat();
    double[] sums = rdd.mapPartitions((Iterator<Minibatch> it) -> {
      List<TokenBatch> mine = new ArrayList<>();
      it.forEachRemaining(b -> mine.add(new TokenBatch(b.ids(), b.labels())));
      if (mine.isEmpty()) {
        return List.<double[]>of().iterator();
      }
      PeftModel model = spec.build(hadoopConf);
      head.forEach((key, values) -> {
        org.nd4j.linalg.api.ndarray.INDArray view = model.graph().getParam(key);
        view.assign(Nd4j.createFromArray(values).castTo(view.dataType()).reshape(view.shape()));
      });
      return List.of(new ImportanceEstimator(model).estimate(mine).toFlat()).iterator();
    }).treeAggregate(zero, Importance::addFlat, Importance::addFlat);
    return template.fromFlat(sums);
  }
}
