package org.sparkpeft.models.bert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Central-difference gradient check of a ComputationGraph (double precision), on a sample of entries of every
 * parameter array: backprop's gradient must match (score(p + e) - score(p - e)) / 2e.
 */
public final class GradientCheck {

  /** One failed entry. */
  public record Failure(String param, long index, double analytic, double numeric, double relError) {}

  public static List<Failure> run(ComputationGraph graph, INDArray input, INDArray mask, INDArray labels, int perParam,
                                  double eps, double maxRelError, double minAbsError) {
    return run(graph, input, mask, labels, perParam, eps, maxRelError, minAbsError, 1.0, key -> true);
  }

  /** Checks only the parameters whose {@code layer_param} key {@code checked} accepts (e.g. the trainable ones). */
  public static List<Failure> run(ComputationGraph graph, INDArray input, INDArray mask, INDArray labels, int perParam,
                                  double eps, double maxRelError, double minAbsError, Predicate<String> checked) {
    return run(graph, input, mask, labels, perParam, eps, maxRelError, minAbsError, 1.0, checked);
  }

  static List<Failure> run(ComputationGraph graph, INDArray input, INDArray mask, INDArray labels, int perParam,
                           double eps, double maxRelError, double minAbsError, double analyticScale) {
    return run(graph, input, mask, labels, perParam, eps, maxRelError, minAbsError, analyticScale, key -> true);
  }

  /**
   * @param analyticScale 1 for a real check; any other value corrupts the analytic side (to prove the check fails)
   */
  private static List<Failure> run(ComputationGraph graph, INDArray input, INDArray mask, INDArray labels,
                                   int perParam, double eps, double maxRelError, double minAbsError,
                                   double analyticScale, Predicate<String> checked) {
    MultiDataSet data = new MultiDataSet(new INDArray[] {input}, new INDArray[] {labels},
        mask == null ? null : new INDArray[] {mask}, null);
    graph.setInputs(input);
    graph.setLabels(labels);
    graph.setLayerMaskArrays(mask == null ? null : new INDArray[] {mask}, null);
    graph.computeGradientAndScore();
    Map<String, INDArray> analytic = graph.gradient().gradientForVariable();
    Random random = new Random(1);
    List<Failure> failures = new ArrayList<>();
    for (Map.Entry<String, INDArray> entry : graph.paramTable().entrySet()) {
      if (!checked.test(entry.getKey())) {
        continue;
      }
      INDArray param = entry.getValue();
      INDArray view = analytic.get(entry.getKey());
      // DL4J's backprop sums over the minibatch; its score (and the updater) average
      INDArray gradient = view.dup(view.ordering()).divi(input.size(0)).muli(analyticScale);
      long length = param.length();
      for (int k = 0; k < Math.min(perParam, length); k++) {
        long i = k == 0 ? 0 : (long) (random.nextDouble() * length);
        double original = param.getDouble(i);
        param.putScalar(i, original + eps);
        double plus = graph.score(data, false);
        param.putScalar(i, original - eps);
        double minus = graph.score(data, false);
        param.putScalar(i, original);
        double numeric = (plus - minus) / (2 * eps);
        double a = gradient.getDouble(i);
        double absError = Math.abs(a - numeric);
        double relError = absError == 0 ? 0 : absError / (Math.abs(a) + Math.abs(numeric));
        if (relError > maxRelError && absError > minAbsError) {
          failures.add(new Failure(entry.getKey(), i, a, numeric, relError));
        }
      }
    }
    graph.clearLayerMaskArrays();
    return failures;
  }

  private GradientCheck() {}
}
