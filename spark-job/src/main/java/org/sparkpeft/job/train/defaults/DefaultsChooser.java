package org.sparkpeft.job.train.defaults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparkpeft.job.train.config.TrainConfig;

/**
 * Decides what a user would otherwise guess, from the prepared data ({@link DataFacts}) and the method: the
 * training length, epochs, minibatch size, averaging frequency, learning rates, warm-up, validation interval,
 * early-stopping patience and class weights. A key the user set ({@link TrainConfig#isExplicit}) is never changed;
 * the rules use it as given.
 *
 * <p>The rules, in order:
 * <ul>
 *   <li><b>compute budget</b>: {@value #BUDGET_TOKENS_PER_ROW} row-tokens per training row (the demo trains 4 epochs
 *     of 64-token rows in its time per 5,000 rows on 2 cores), counted on at least {@value #BUDGET_FLOOR_ROWS}
 *     rows (the demo's train split per 5,000 rows), so a smaller set may spend the demo's time: small data gets
 *     more epochs;</li>
 *   <li><b>compute budget, chunked data</b> ({@code tokenizer.long-text = chunk}: rows are windows of documents, and
 *     a document is one labelled example): the budget counts documents: {@value #BUDGET_EPOCHS} epochs of each
 *     document's windows, counted on at least {@value #BUDGET_FLOOR_ROWS} documents (so few documents get many
 *     epochs of their windows), at most {@value #CHUNKED_CAP} times the demo's budget per document counted the same
 *     way ({@value #CHUNKED_CAP} x {@value #BUDGET_TOKENS_PER_ROW} row-tokens per document, at least
 *     {@value #BUDGET_FLOOR_ROWS}: {@value #CHUNKED_CAP}x the demo's row-tokens per 5,000 documents), and never less
 *     than the budget of the windows counted as rows (the rule above); {@link DocumentBudget};</li>
 *   <li><b>max length</b>: the prepared length; shorter, one length bucket at a time (first down to the bucket that
 *     covers 90 % of the rows, never under {@value #MIN_LENGTH}), while the budget would allow fewer than
 *     {@value #BUDGET_EPOCHS} epochs (the budget's own: more passes over each row's start rather than fewer over
 *     more of it) and the epochs are not set; chunked data keeps the window length;</li>
 *   <li><b>epochs</b>: the whole number nearest what the budget allows at that length (at most half an epoch over
 *     it: sotu's 4.7 epochs as 5 scored validation macro-F1 0.900 where 4 scored 0.850),
 *     {@value #MIN_EPOCHS} to {@value #MAX_EPOCHS};</li>
 *   <li><b>batch size</b>: the largest of 32, 16, 8 that gives each worker at least {@value #MIN_STEPS} optimizer
 *     steps (parameter averaging: every worker steps on its own minibatches, so steps per worker are what count);
 *     a smaller batch costs no more compute per row;</li>
 *   <li><b>averaging frequency</b>: at least 64 rows per worker between averagings (4 to 8 minibatches);</li>
 *   <li><b>learning rate</b>: the method's rate at batch 16 ({@link #rateAt16}), scaled by sqrt(batch / 16); the
 *     head's at least {@value #HEAD_RATE_AT_16} likewise (a new classifier learns from zero);</li>
 *   <li><b>warm-up</b>: 6 % of the steps but at least 30 steps (at most 20 %); 10 % for whole layers;</li>
 *   <li><b>validation</b>: about {@value #VALIDATIONS} per run (only at the end of a run under twice as many rounds); <b>patience</b> a third of them, none under
 *     {@value #MIN_VALIDATIONS_TO_STOP} validations;</li>
 *   <li><b>class weights</b>: {@link ClassWeightRule} (auto: balanced above a 3x imbalance).</li>
 * </ul>
 */
public final class DefaultsChooser {

  static final int BUDGET_EPOCHS = 4;
  static final int BUDGET_TOKENS_PER_ROW = BUDGET_EPOCHS * 64;
  static final long BUDGET_FLOOR_ROWS = 3_500;
  static final int CHUNKED_CAP = 3;
  static final int MIN_LENGTH = 64;
  static final int MIN_EPOCHS = 2;
  static final int MAX_EPOCHS = 20;
  static final int MIN_STEPS = 300;
  static final int[] BATCHES = {32, 16, 8};
  static final int ROWS_PER_ROUND = 64;
  static final int VALIDATIONS = 12;
  static final int MIN_VALIDATIONS_TO_STOP = 9;
  static final double HEAD_RATE_AT_16 = 5e-3;

  /** What was chosen (every key the rules cover, the user's own marked as such) and the config with it applied. */
  public record Chosen(List<Choice> choices, TrainConfig config) {

    public Chosen {
      choices = List.copyOf(choices);
    }

    /** The table logged before training: key, value, reason. */
    public String table(DataFacts facts) {
      StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
          "defaults chosen from the data (train split %,d rows%s, %d classes, 90 %% of rows <= %d tokens%s):%n",
          facts.trainRows(), facts.chunked() ? String.format(Locale.ROOT, " = windows of %,d documents",
              facts.trainDocuments()) : "", facts.classes(), facts.lengthP90(),
          facts.p90Exact() ? "" : " (bucket estimate)"));
      out.append(String.format(Locale.ROOT, "  %-26s %-12s %s%n", "key", "value", "reason"));
      for (Choice c : choices) {
        out.append(String.format(Locale.ROOT, "  %-26s %-12s %s%n", c.key(), c.value(), c.reason()));
      }
      return out.toString();
    }
  }

  private DefaultsChooser() {}

  /** The method's peak learning rate at minibatch 16 (AdamW, linear warm-up and decay). */
  static double rateAt16(String method) {
    return switch (method) {
      case "head" -> 5e-3;     // a linear layer on frozen sentence vectors
      case "ia3" -> 5e-3;      // multiplicative vectors starting at 1 move slowly
      case "lora", "bitfit", "auto" -> 2e-3; // auto: LoRA, biases and LayerNorms under a small budget
      case "adapter" -> 1e-3;
      case "last_n" -> 1e-4;   // whole pretrained layers: the usual fine-tuning range
      default -> 1e-3;
    };
  }

  public static Chosen choose(DataFacts facts, TrainConfig config) {
    List<Choice> choices = new ArrayList<>();
    TrainConfig.Train t = config.train();
    long rows = facts.trainRows();
    double budget = BUDGET_TOKENS_PER_ROW * (double) Math.max(rows, BUDGET_FLOOR_ROWS);

    // max length
    int length;
    if (config.isExplicit("train.max-length")) {
      length = t.maxLength() == 0 ? facts.preparedMaxLength() : Math.min(t.maxLength(), facts.preparedMaxLength());
      choices.add(mine("train.max-length", Integer.toString(t.maxLength())));
    } else {
      // every token the prepare kept, unless the budget would allow fewer than its BUDGET_EPOCHS epochs: then
      // shorter, first down to the bucket covering 90 % of the rows, then (never under MIN_LENGTH) below it.
      // SpamAssassin (70 % of emails past 256 tokens), validation macro-F1 with every other key chosen: 128 tokens
      // x 2 epochs 0.979, 64 x 4 0.984 (and the demo's seeds at 64 x 4 above its 96- and 128-token runs)
      List<Integer> candidates = facts.lengthCandidates();
      int at = candidates.size() - 1;
      length = candidates.get(at);
      if (facts.chunked()) {
        // a window cut shorter would lose its end: the document would be read with gaps
        choices.add(new Choice("train.max-length", Integer.toString(length), String.format(Locale.ROOT,
            "the prepared window length: the %,d rows are windows of %,d documents, a shorter cut would drop "
                + "each window's end", rows, facts.trainDocuments())));
      } else {
        if (!config.isExplicit("train.epochs")) {
          while (at > 0 && candidates.get(at - 1) >= MIN_LENGTH
              && epochsFor(budget, rows, facts, length) < BUDGET_EPOCHS) {
            length = candidates.get(--at);
          }
        }
        String coverage = length >= facts.lengthP90() ? "covers the 90 % of rows within " + facts.lengthP90()
            + " tokens" : "90 % of rows reach " + facts.lengthP90() + " tokens";
        String reason = length == facts.preparedMaxLength() ? "the prepared length; " + coverage
            : String.format(Locale.ROOT, "the budget allows %d epochs at %d tokens, %d at %d; %s",
                epochsFor(budget, rows, facts, facts.preparedMaxLength()), facts.preparedMaxLength(),
                epochsFor(budget, rows, facts, length), length, coverage);
        choices.add(new Choice("train.max-length", Integer.toString(length), reason));
      }
    }

    // epochs
    int epochs;
    DocumentBudget perDocument = facts.chunked() ? DocumentBudget.of(facts, length) : null;
    if (perDocument != null) {
      budget = perDocument.rowTokens();
    }
    double possible = budget / (rows * facts.meanCostLength(length));
    if (config.isExplicit("train.epochs")) {
      epochs = t.epochs();
      choices.add(mine("train.epochs", Integer.toString(epochs)));
    } else {
      // nearest, not floor: a budget of 4.7 epochs is closer to 5 than to 4 (within half an epoch of it either way)
      epochs = Math.max(MIN_EPOCHS, Math.min(MAX_EPOCHS, (int) Math.round(possible)));
      choices.add(new Choice("train.epochs", Integer.toString(epochs), perDocument != null
          ? perDocument.reason(MIN_EPOCHS, MAX_EPOCHS)
          : String.format(Locale.ROOT, "compute budget %.1f epochs of %,d rows at %.0f tokens/row (%d..%d)",
              possible, rows, facts.meanCostLength(length), MIN_EPOCHS, MAX_EPOCHS)));
    }

    // batch size: optimizer steps per worker
    int workers = t.workers();
    int batch;
    if (config.isExplicit("train.batch-size")) {
      batch = t.batchSize();
      choices.add(mine("train.batch-size", Integer.toString(batch)));
    } else {
      batch = BATCHES[BATCHES.length - 1];
      for (int b : BATCHES) {
        if (epochs * stepsPerEpoch(rows, workers, b) >= MIN_STEPS) {
          batch = b;
          break;
        }
      }
      choices.add(new Choice("train.batch-size", Integer.toString(batch), String.format(Locale.ROOT,
          "%,d optimizer steps per worker (%d workers x %d epochs; at least %d wanted)",
          epochs * stepsPerEpoch(rows, workers, batch), workers, epochs, MIN_STEPS)));
    }
    long steps = epochs * stepsPerEpoch(rows, workers, batch);

    int frequency;
    if (config.isExplicit("train.averaging-frequency")) {
      frequency = t.averagingFrequency();
      choices.add(mine("train.averaging-frequency", Integer.toString(frequency)));
    } else {
      frequency = Math.max(4, Math.min(8, (ROWS_PER_ROUND + batch - 1) / batch));
      choices.add(new Choice("train.averaging-frequency", Integer.toString(frequency), String.format(Locale.ROOT,
          "%d rows per worker between averagings", frequency * batch)));
    }
    long rounds = epochs * ((stepsPerEpoch(rows, workers, batch) + frequency - 1) / frequency);

    // learning rates
    String method = config.methodType();
    double scale = Math.sqrt(batch / 16.0);
    double lr;
    if (config.isExplicit("optimizer.lr")) {
      lr = config.optimizer().learningRate();
      choices.add(mine("optimizer.lr", rate(lr)));
    } else {
      lr = rateAt16(method) * scale;
      choices.add(new Choice("optimizer.lr", rate(lr), String.format(Locale.ROOT,
          "%s's rate %s at batch 16, x sqrt(%d/16)", method, rate(rateAt16(method)), batch)));
    }
    double headLr;
    if (config.isExplicit("optimizer.head-lr")) {
      headLr = config.optimizer().headRate();
      choices.add(mine("optimizer.head-lr", rate(config.optimizer().headLearningRate())));
    } else if (config.isExplicit("optimizer.lr") || method.equals("head")) {
      headLr = lr;
      choices.add(new Choice("optimizer.head-lr", rate(lr), method.equals("head") && !config.isExplicit("optimizer.lr")
          ? "the head is what this method trains: optimizer.lr" : "follows optimizer.lr, which you set"));
    } else {
      headLr = Math.max(lr, HEAD_RATE_AT_16 * scale);
      choices.add(new Choice("optimizer.head-lr", rate(headLr), headLr > lr
          ? String.format(Locale.ROOT, "a new classifier: at least %s at batch 16, x sqrt(%d/16)",
              rate(HEAD_RATE_AT_16), batch) : "optimizer.lr (already at least the head's rate)"));
    }

    double warmup;
    if (config.isExplicit("optimizer.warmup-fraction")) {
      warmup = config.optimizer().warmupFraction();
      choices.add(mine("optimizer.warmup-fraction", Double.toString(warmup)));
    } else if (method.equals("last_n")) {
      warmup = 0.1;
      choices.add(new Choice("optimizer.warmup-fraction", "0.1", "whole pretrained layers: 10 % of the steps"));
    } else {
      warmup = Math.max(0.06, Math.min(0.2, 30.0 / Math.max(1, steps)));
      choices.add(new Choice("optimizer.warmup-fraction", String.format(Locale.ROOT, "%.3f", warmup),
          String.format(Locale.ROOT, "6 %% of %,d steps, at least 30 steps, at most 20 %%", steps)));
    }

    // validation and early stopping
    int every;
    if (config.isExplicit("eval.every-rounds")) {
      every = config.eval().everyRounds();
      choices.add(mine("eval.every-rounds", Integer.toString(every)));
    } else {
      if (rounds < 2 * VALIDATIONS) {
        // the best of a few early validations on a small split is mostly noise
        every = 0;
        choices.add(new Choice("eval.every-rounds", "0", String.format(Locale.ROOT,
            "a short run (%d rounds): validated once, at the end", rounds)));
      } else {
        every = (int) Math.max(1, Math.round(rounds / (double) VALIDATIONS));
        choices.add(new Choice("eval.every-rounds", Integer.toString(every), String.format(Locale.ROOT,
            "about %d validations in %,d rounds", VALIDATIONS, rounds)));
      }
    }
    int patience;
    if (config.isExplicit("eval.patience")) {
      patience = config.eval().patience();
      choices.add(mine("eval.patience", Integer.toString(patience)));
    } else {
      long validations = every == 0 ? 1 : Math.max(1, rounds / every);
      patience = validations >= MIN_VALIDATIONS_TO_STOP ? (int) (validations / 3) : 0;
      choices.add(new Choice("eval.patience", Integer.toString(patience), patience > 0
          ? String.format(Locale.ROOT, "a third of %d validations without a better %s", validations,
              config.eval().metric().name().toLowerCase(Locale.ROOT))
          : String.format(Locale.ROOT, "never stop early: %d validations are too few to tell noise from a plateau",
              validations)));
    }

    TrainConfig.ClassWeights weights = t.classWeights();
    double imbalance = ClassWeightRule.imbalance(facts.trainLabelCounts());
    if (weights == TrainConfig.ClassWeights.AUTO) {
      weights = imbalance > ClassWeightRule.AUTO_RATIO ? TrainConfig.ClassWeights.BALANCED
          : TrainConfig.ClassWeights.NONE;
    }
    String weightReason = String.format(Locale.ROOT, "largest class %.1fx the smallest", imbalance);
    if (weights == TrainConfig.ClassWeights.BALANCED) {
      weightReason += "; weights " + ClassWeightRule.balanced(facts.trainLabelCounts()).stream()
          .map(w -> String.format(Locale.ROOT, "%.2f", w)).toList();
    }
    choices.add(new Choice("train.class-weights", weights.name().toLowerCase(Locale.ROOT),
        (t.classWeights() == TrainConfig.ClassWeights.AUTO ? "auto (> " + ClassWeightRule.AUTO_RATIO + "x): "
            : config.isExplicit("train.class-weights") ? "set by you; " : "") + weightReason));

    TrainConfig applied = new TrainConfig(config.data(), config.model(), method, config.methodOptions(),
        config.head(), new TrainConfig.Optimizer(lr, config.optimizer().weightDecay(), warmup, headLr),
        new TrainConfig.Train(epochs, batch, frequency, workers, t.seed(), t.checkpointEveryRounds(),
            config.isExplicit("train.max-length") ? t.maxLength() : length, weights, t.featureCache()),
        new TrainConfig.Eval(every, config.eval().metric(), patience), config.output(), config.baseline(),
        config.explicitKeys());
    return new Chosen(choices, applied);
  }

  /** The chosen values as metrics.json writes them: {@code {key: {value, reason}}}. */
  public static Map<String, Map<String, String>> asJson(List<Choice> choices) {
    Map<String, Map<String, String>> out = new java.util.LinkedHashMap<>();
    for (Choice c : choices) {
      Map<String, String> entry = new java.util.LinkedHashMap<>();
      entry.put("value", c.value());
      entry.put("reason", c.reason());
      out.put(c.key(), entry);
    }
    return out;
  }

  private static int epochsFor(double budget, long rows, DataFacts facts, int length) {
    return (int) Math.floor(budget / (rows * facts.meanCostLength(length)));
  }

  /** Optimizer steps one worker takes per epoch: its share of the rows in minibatches. */
  static long stepsPerEpoch(long rows, int workers, int batch) {
    long perWorker = (rows + workers - 1) / workers;
    return (perWorker + batch - 1) / batch;
  }

  private static Choice mine(String key, String value) {
    return new Choice(key, value, "set by you");
  }

  private static String rate(double lr) {
    return String.format(Locale.ROOT, "%.2e", lr);
  }
}
