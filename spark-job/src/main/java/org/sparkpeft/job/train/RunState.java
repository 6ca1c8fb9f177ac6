package org.sparkpeft.job.train;

import java.util.ArrayList;
import java.util.List;

import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.report.TrainingReport;

/** What the driver loop accumulates over a run; saved in and restored from a {@link Checkpoint}. */
final class RunState {

  /** Rounds done (the last one's 1-based number). */
  int round;
  /** Where the next round starts: epoch and round within it. */
  int nextEpoch;
  int nextRoundInEpoch;
  float[] best;
  Double bestScore;
  int sinceBest;
  boolean stopped;
  long examples;
  long broadcastBytes;
  long collectedBytes;
  double trainSeconds;
  /** Wall time of earlier, interrupted runs of the same job. */
  double earlierWallSeconds;
  final List<TrainingReport.LossPoint> lossCurve = new ArrayList<>();
  final List<TrainingReport.Validation> validations = new ArrayList<>();

  static RunState fresh(float[] initial) {
    RunState s = new RunState();
    s.best = initial;
    return s;
  }

  static RunState of(Checkpoint c) {
    RunState s = new RunState();
    s.round = c.round();
    boolean epochDone = c.roundInEpoch() + 1 >= c.roundsInEpoch();
    s.nextEpoch = epochDone ? c.epoch() + 1 : c.epoch();
    s.nextRoundInEpoch = epochDone ? 0 : c.roundInEpoch() + 1;
    s.best = Checkpoint.floats(c.best());
    s.bestScore = c.bestScore();
    s.sinceBest = c.sinceBest();
    s.stopped = c.stopped();
    s.examples = c.examples();
    s.broadcastBytes = c.broadcastBytes();
    s.collectedBytes = c.collectedBytes();
    s.trainSeconds = c.trainSeconds();
    s.earlierWallSeconds = c.wallSeconds();
    s.lossCurve.addAll(c.lossCurve());
    s.validations.addAll(c.validations());
    return s;
  }

  Checkpoint checkpoint(String fingerprint, DataIdentity data, long seed, int epoch, int roundInEpoch, int roundsInEpoch, float[] params,
                        float[] updater, double wallSeconds) {
    return new Checkpoint(Checkpoint.FORMAT, fingerprint, data, round, epoch, roundInEpoch, roundsInEpoch, seed,
        Checkpoint.bytes(params), Checkpoint.bytes(updater), Checkpoint.bytes(best), bestScore, sinceBest, stopped,
        examples, broadcastBytes, collectedBytes, trainSeconds, earlierWallSeconds + wallSeconds, lossCurve,
        validations);
  }
}
