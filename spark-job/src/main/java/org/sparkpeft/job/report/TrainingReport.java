package org.sparkpeft.job.report;

import java.util.List;
import java.util.Map;

import org.sparkpeft.job.baseline.BaselineResult;
import org.sparkpeft.job.eval.ClassificationMetrics;

/**
 * Everything a finished training run reports: the content of metrics.json and report.html.
 *
 * @param method PEFT method type name
 * @param baseModelId base model id
 * @param baseModelSha256 base model fingerprint
 * @param trainableParams parameters trained
 * @param totalParams parameters of base + method + head
 * @param parameterGroups per-group breakdown (e.g. "lora", "head", "encoder (frozen)")
 * @param rounds averaging rounds run
 * @param epochs epochs run
 * @param train throughput, traffic and the loss curve
 * @param validation validation metrics by round
 * @param test metrics on the test split (null when there is none)
 * @param wallSeconds wall time of the whole job
 * @param config the effective job configuration, key to value
 * @param baseline the TF-IDF + logistic-regression baseline on the same splits (null when switched off)
 * @param chosen the values the defaults chooser decided from the data: key to {@code {value, reason}} (empty when
 *     nothing was chosen)
 */
public record TrainingReport(String method, String baseModelId, String baseModelSha256, long trainableParams,
                             long totalParams, List<ParamGroup> parameterGroups, int rounds, int epochs, Train train,
                             List<Validation> validation, ClassificationMetrics test, double wallSeconds,
                             Map<String, String> config, BaselineResult baseline,
                             Map<String, Map<String, String>> chosen) {

  /** A report without a baseline or chooser decisions (the trainer's own; the service adds them). */
  public TrainingReport(String method, String baseModelId, String baseModelSha256, long trainableParams,
                        long totalParams, List<ParamGroup> parameterGroups, int rounds, int epochs, Train train,
                        List<Validation> validation, ClassificationMetrics test, double wallSeconds,
                        Map<String, String> config) {
    this(method, baseModelId, baseModelSha256, trainableParams, totalParams, parameterGroups, rounds, epochs, train,
        validation, test, wallSeconds, config, null, Map.of());
  }

  /** This report with config entry {@code key} set to {@code value} (added last when new). */
  public TrainingReport withConfig(String key, String value) {
    Map<String, String> changed = new java.util.LinkedHashMap<>(config);
    changed.put(key, value);
    return new TrainingReport(method, baseModelId, baseModelSha256, trainableParams, totalParams, parameterGroups,
        rounds, epochs, train, validation, test, wallSeconds, changed, baseline, chosen);
  }

  /** This report with {@code baseline} (null: none). */
  public TrainingReport withBaseline(BaselineResult baseline) {
    return new TrainingReport(method, baseModelId, baseModelSha256, trainableParams, totalParams, parameterGroups,
        rounds, epochs, train, validation, test, wallSeconds, config, baseline, chosen);
  }

  /** This report with the chooser's decisions. */
  public TrainingReport withChosen(Map<String, Map<String, String>> decisions) {
    return new TrainingReport(method, baseModelId, baseModelSha256, trainableParams, totalParams, parameterGroups,
        rounds, epochs, train, validation, test, wallSeconds, config, baseline, decisions);
  }

  /** Trainable and total parameters of one group. */
  public record ParamGroup(String name, long trainable, long total) {}

  /** One point of the training loss curve. */
  public record LossPoint(int round, double loss) {}

  /**
   * @param examplesPerSec train examples/s: training examples over the rounds' wall time (Spark scheduling,
   *     broadcast, forward+backward+update on the workers, averaging), excluding validation and checkpoints
   * @param stockBytesPerRound what DL4J's stock parameter averaging would move for the same model and workers
   */
  public record Train(double examplesPerSec, long bytesPerRoundBroadcast, long bytesPerRoundCollected,
                      long stockBytesPerRound, List<LossPoint> lossCurve) {}

  /** Validation metrics after a round. */
  public record Validation(int round, ClassificationMetrics metrics) {}

  public double trainablePercent() {
    return totalParams == 0 ? 0 : 100.0 * trainableParams / totalParams;
  }
}
