package org.sparkpeft.models.peft.auto;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TokenBatch;

/**
 * Per-group importance of the frozen base for a task: the gradients of every selectable group ({@link ParamGroup})
 * on labelled batches, through a model whose head has been fitted (so the gradients mean something). The
 * gradients of frozen parameters are computed on a private probe graph, a copy of the model's in which the
 * selectable groups are unfrozen; no updater step is ever taken, so nothing moves (the model is not touched).
 */
public final class ImportanceEstimator {

  private final ComputationGraph probe;
  private final List<ParamGroup> groups;
  private final int classes;

  /** A probe of {@code model} (typically head-only, after a short head fit), with its current values. */
  public ImportanceEstimator(PeftModel model) {
    ComputationGraphConfiguration conf = model.graph().getConfiguration().clone();
    this.groups = ParamGroup.of(conf);
    Set<String> wanted = new HashSet<>();
    groups.forEach(g -> wanted.addAll(g.keys()));
    for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
      if (e.getValue() instanceof LayerVertex vertex
          && vertex.getLayerConf().getLayer() instanceof SparkpeftLayerConf layer) {
        Set<String> frozen = new HashSet<>();
        for (String param : layer.layout().names()) {
          if (!wanted.contains(e.getKey() + "_" + param)) {
            frozen.add(param);
          }
        }
        layer.setFrozenParams(frozen);
        layer.setUpstreamFrozen(false);
      }
    }
    this.probe = new ComputationGraph(conf);
    probe.init(model.graph().params().dup(), false);
    this.classes = model.config().head().labels();
  }

  public List<ParamGroup> groups() {
    return groups;
  }

  /** Nothing summed yet, for this model's groups. */
  public Importance empty() {
    return Importance.empty(groups);
  }

  /** {@code acc} plus one batch's gradient sums (a new accumulator; {@code acc} is not modified). */
  public Importance add(Importance acc, TokenBatch batch) {
    MultiDataSet data = batch.toMultiDataSet(classes);
    probe.setInputs(data.getFeatures());
    probe.setLabels(data.getLabels());
    probe.setLayerMaskArrays(data.getFeaturesMaskArrays(), data.getLabelsMaskArrays());
    probe.computeGradientAndScore();
    Map<String, INDArray> grads = probe.gradient().gradientForVariable();
    Importance one = Importance.empty(groups);
    for (int i = 0; i < groups.size(); i++) {
      ParamGroup group = groups.get(i);
      for (String key : group.keys()) {
        INDArray g = grads.get(key);
        if (g == null) {
          throw new IllegalStateException("the probe computed no gradient for " + key);
        }
        // every temporary is freed at once: off-heap memory would otherwise wait for the JVM's garbage collector
        INDArray gd = g.castTo(DataType.DOUBLE);
        INDArray squares = gd.mul(gd);
        one.fisher()[i] += squares.sumNumber().doubleValue();
        free(squares);
        INDArray param = probe.getParam(key);
        INDArray w = param.castTo(DataType.DOUBLE);
        INDArray products = Transforms.abs(gd.mul(w), false);
        one.taylor()[i] += products.sumNumber().doubleValue();
        free(products);
        if (w != param) {
          free(w);
        }
        if (group.kind() == ParamGroup.Kind.MATRIX) {
          INDArray m = gd.reshape('c', group.nIn(), group.nOut());
          INDArray c = group.nOut() <= group.nIn() ? m.transpose().mmul(m) : m.mmul(m.transpose());
          INDArray ordered = c.dup('c');
          double[] flat = ordered.reshape(ordered.length()).toDoubleVector();
          System.arraycopy(flat, 0, one.gram()[i], 0, flat.length);
          free(ordered);
          free(c); // m is a view of gd, freed below
        }
        if (gd != g) {
          free(gd);
        }
      }
    }
    probe.clearLayerMaskArrays();
    return Importance.merge(acc, new Importance(one.groups(), one.fisher(), one.taylor(), one.gram(), 1));
  }

  private static void free(INDArray array) {
    if (array.closeable()) {
      array.close();
    }
  }

  /** The sums over {@code batches}. */
  public Importance estimate(Iterable<TokenBatch> batches) {
    Importance acc = empty();
    for (TokenBatch batch : batches) {
      acc = add(acc, batch);
    }
    return acc;
  }
}
