package org.sparkpeft.models.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.sparkpeft.models.bert.layers.ReusedActivations;
import org.sparkpeft.models.inference.PaddedBatch;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Single-JVM fine-tuning of a {@link PeftModel}, no Spark: batches in, the trained model (trained in place) and
 * the per-step losses out; the parameter report is logged first. Each step is the one Spark's workers run
 * (DL4J's {@code fit} of one MultiDataSet with the model's updater and weight decay; frozen parameters never move).
 */
public final class FineTuning {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FineTuning.class);

  /** Called after every optimizer step. */
  @FunctionalInterface
  public interface StepListener {
    void onStep(int step, int epoch, double loss);

    StepListener NONE = (step, epoch, loss) -> { };
  }

  /**
   * The trained model and every step's minibatch data loss (mean cross-entropy before that step's update, without
   * the weight-decay term), in order.
   */
  public record Result(PeftModel model, List<Double> losses) {
    public Result {
      losses = List.copyOf(losses);
    }
  }

  private FineTuning() {}

  public static Result fit(PeftModel model, Iterable<TokenBatch> batches, FitOptions options, StepListener listener) {
    int classes = model.config().head().labels();
    List<TokenBatch> order = new ArrayList<>();
    batches.forEach(order::add);
    if (order.isEmpty()) {
      throw new IllegalArgumentException("no batches to train on");
    }
    LOG.info(model.summary());
    List<Double> losses = new ArrayList<>();
    int step = 0;
    for (int epoch = 0; epoch < options.epochs(); epoch++) {
      if (options.shuffleSeed() >= 0) {
        Collections.shuffle(order, new Random(options.shuffleSeed() + epoch));
      }
      for (TokenBatch batch : order) {
        if (options.maxSteps() > 0 && step >= options.maxSteps()) {
          return new Result(model, losses);
        }
        MultiDataSet data = batch.toMultiDataSet(classes);
        model.graph().fit(data);
        double loss = model.graph().score(); // the data loss: DecoupledWeightDecay adds no term to the score
        losses.add(loss);
        listener.onStep(++step, epoch, loss);
      }
    }
    return new Result(model, losses);
  }

  /** Class probabilities [rows, classes] of one batch (inference mode: no dropout). */
  public static INDArray predict(PeftModel model, TokenBatch batch) {
    PaddedBatch padded = batch.padded();
    return ReusedActivations.output(model.graph(), new INDArray[] {padded.ids()},
        new INDArray[] {padded.mask()})[0];
  }

  /** Fraction of rows whose most probable class is their label. */
  public static double accuracy(PeftModel model, Iterable<TokenBatch> batches) {
    long correct = 0;
    long total = 0;
    for (TokenBatch batch : batches) {
      INDArray predicted = predict(model, batch).argMax(1);
      for (int i = 0; i < batch.size(); i++) {
        correct += predicted.getInt(i) == batch.labels()[i] ? 1 : 0;
      }
      total += batch.size();
    }
    if (total == 0) {
      throw new IllegalArgumentException("no rows to evaluate");
    }
    return (double) correct / total;
  }
}
