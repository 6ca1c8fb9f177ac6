package org.sparkpeft.models.peft.auto;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.peft.head.HeadOnlyConfig;
import org.sparkpeft.models.train.FineTuning;
import org.sparkpeft.models.train.FitOptions;
import org.sparkpeft.models.train.TokenBatch;

/**
 * Selection in one JVM: a short head-only fit on the sample, the importance of every group on the same sample,
 * and the plan under the budget. Reproducible for a fixed {@code optimization.seed()} (head initialisation and
 * batch order). spark-job runs the same three stages with the estimate spread over executors.
 */
public final class AutoSelection {

  private AutoSelection() {}

  /** The head-only model after {@code headSteps} steps over {@code sample} (shuffled with the seed). */
  public static PeftModel fitHead(ComputationGraph base, AutoConfig config, List<TokenBatch> sample,
                                  Optimization optimization) {
    PeftModel head = PeftMethods.create(base, new HeadOnlyConfig(config.head()), optimization);
    if (config.headSteps() > 0) {
      int epochs = (config.headSteps() + sample.size() - 1) / sample.size();
      FineTuning.fit(head, sample, new FitOptions(epochs, config.headSteps(), optimization.seed()),
          FineTuning.StepListener.NONE);
    }
    return head;
  }

  /** The plan for {@code base} from the importance {@code importance} (e.g. merged from executors). */
  public static AutoPlan plan(ComputationGraph base, AutoConfig config, Importance importance) {
    long baseParams = base.numParams();
    return Planner.plan(ParamGroup.of(base.getConfiguration()), importance, config.budget().of(baseParams), baseParams,
        config.ranks());
  }

  /** Head fit, estimate and plan, all on {@code sample}. */
  public static AutoPlan select(ComputationGraph base, AutoConfig config, List<TokenBatch> sample,
                                Optimization optimization) {
    if (sample.isEmpty()) {
      throw new IllegalArgumentException("auto needs at least one batch to estimate importance on");
    }
    PeftModel head = fitHead(base, config, sample, optimization);
    return plan(base, config, new ImportanceEstimator(head).estimate(sample));
  }
}
