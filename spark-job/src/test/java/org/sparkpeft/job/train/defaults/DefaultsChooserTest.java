package org.sparkpeft.job.train.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;

/** The chooser's decisions for small, large and unbalanced data; keys the user set always win. */
class DefaultsChooserTest {

  @TempDir
  Path tmp;

  /** A manifest: train rows per label, rows per bucket over all splits, the prepared length and the exact p90. */
  static Manifest manifest(Map<String, Long> trainLabels, Map<Integer, Long> buckets, int preparedLength,
                           Integer p90) {
    long train = trainLabels.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Integer> labelMap = new TreeMap<>();
    new TreeMap<>(trainLabels).keySet().forEach(name -> labelMap.put(name, labelMap.size()));
    Map<String, Long> histogram = new LinkedHashMap<>();
    buckets.forEach((b, n) -> histogram.put(Integer.toString(b), n));
    return new Manifest(1, null, new Manifest.TokenizerInfo("tok", "ab", preparedLength, "head"), 42,
        Map.of("train", 0.7), labelMap, List.copyOf(new TreeMap<>(buckets).keySet()), null,
        Map.of("train", new Manifest.SplitInfo(train, trainLabels, 0)), histogram,
        new Manifest.LengthStats(3, preparedLength, 50.0, null, p90, null, null));
  }

  static DataFacts facts(Manifest m) {
    return DataFacts.of(m, List.copyOf(new TreeMap<>(m.labelMap()).keySet()));
  }

  static TrainConfig config(String... settings) {
    List<String> all = new ArrayList<>(List.of("data=/tmp/x", "output.path=/tmp/y"));
    all.addAll(List.of(settings));
    return TrainConfigLoader.load(null, all);
  }

  private static Map<String, Choice> byKey(DefaultsChooser.Chosen chosen) {
    Map<String, Choice> out = new LinkedHashMap<>();
    chosen.choices().forEach(c -> out.put(c.key(), c));
    return out;
  }

  /** 600 train rows, two equal classes, most rows short. */
  static final Manifest SMALL = manifest(Map.of("ham", 300L, "spam", 300L),
      Map.of(16, 100L, 32, 300L, 64, 400L, 128, 56L), 128, 60);

  /** 100,000 train rows, long texts (90 % within 300 tokens, prepared at 512). */
  static final Manifest LARGE = manifest(Map.of("a", 50_000L, "b", 30_000L, "c", 20_000L),
      Map.of(16, 1_000L, 32, 4_000L, 64, 20_000L, 128, 40_000L, 256, 50_000L, 512, 28_000L), 512, 300);

  @Test
  void smallDataGetsMoreEpochsSmallerBatchesAndEnoughStepsWithinTheBudget() {
    DataFacts facts = facts(SMALL);
    TrainConfig chosen = DefaultsChooser.choose(facts, config("method.type=lora")).config();
    TrainConfig.Train t = chosen.train();
    // the budget allows every token the prepare kept
    assertEquals(128, t.maxLength(), t.toString());
    // at least the minimum of optimizer steps per worker, with the largest batch that reaches it
    long steps = t.epochs() * DefaultsChooser.stepsPerEpoch(600, t.workers(), t.batchSize());
    assertTrue(steps >= DefaultsChooser.MIN_STEPS, steps + " steps, " + t);
    assertTrue(t.epochs() * DefaultsChooser.stepsPerEpoch(600, t.workers(), 2 * t.batchSize())
        < DefaultsChooser.MIN_STEPS, "a batch twice as large would have been enough: " + t);
    // the work fits the budget of the demo's size (small data may use it all), to the nearest whole epoch
    double epoch = 600 * facts.meanCostLength(t.maxLength());
    assertTrue((t.epochs() - 0.5) * epoch <= DefaultsChooser.BUDGET_TOKENS_PER_ROW
        * (double) DefaultsChooser.BUDGET_FLOOR_ROWS, t.toString());
    TrainConfig large = DefaultsChooser.choose(facts(LARGE), config("method.type=lora")).config();
    assertTrue(t.epochs() > large.train().epochs(), t.epochs() + " vs " + large.train().epochs());
    assertEquals(TrainConfig.ClassWeights.NONE, t.classWeights());
    // about a dozen validations, and patience a third of them
    long rounds = t.epochs() * ((DefaultsChooser.stepsPerEpoch(600, t.workers(), t.batchSize())
        + t.averagingFrequency() - 1) / t.averagingFrequency());
    long validations = rounds / chosen.eval().everyRounds();
    assertTrue(validations >= 8 && validations <= 16, validations + " validations in " + rounds + " rounds");
    assertEquals(validations / 3, chosen.eval().patience(), chosen.eval().toString());
  }

  @Test
  void longTextsGetTheBudgetsEpochsOverShorterRows() {
    // SpamAssassin-like: 4,709 train emails, 70 % of them past 256 tokens, prepared at 256
    DataFacts facts = facts(manifest(Map.of("ham", 3_275L, "spam", 1_434L),
        Map.of(32, 300L, 64, 600L, 128, 700L, 256, 4_315L), 256, 256));
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, config("method.type=lora"));
    TrainConfig.Train t = chosen.config().train();
    // 128 tokens would still give 2 epochs; the budget's 4 epochs come at 64
    assertTrue(DefaultsChooser.BUDGET_TOKENS_PER_ROW / facts.meanCostLength(128) >= DefaultsChooser.MIN_EPOCHS);
    assertEquals(64, t.maxLength(), chosen.table(facts));
    assertEquals(DefaultsChooser.BUDGET_EPOCHS, t.epochs(), chosen.table(facts));
    assertTrue(byKey(chosen).get("train.max-length").reason().contains("4 at 64"),
        byKey(chosen).get("train.max-length").reason());
  }

  @Test
  void largeDataStaysInTheBudgetPerRowByCuttingLength() {
    DataFacts facts = facts(LARGE);
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, config("method.type=lora"));
    TrainConfig.Train t = chosen.config().train();
    assertTrue(t.maxLength() < 512 && t.maxLength() >= DefaultsChooser.MIN_LENGTH, t.toString());
    assertTrue(t.maxLength() < 300, "even the 90th percentile's bucket leaves fewer than 4 epochs: " + t);
    // rows are cut until the budget gives its own 4 epochs (or the floor length is reached)
    assertTrue(t.epochs() >= DefaultsChooser.BUDGET_EPOCHS || t.maxLength() == DefaultsChooser.MIN_LENGTH,
        t.toString());
    double epoch = 100_000.0 * facts.meanCostLength(t.maxLength());
    assertTrue((t.epochs() - 0.5) * epoch <= DefaultsChooser.BUDGET_TOKENS_PER_ROW * 100_000.0, epoch + " x " + t);
    // the longest length that still allows the budget's epochs was kept
    int next = facts.lengthCandidates().get(facts.lengthCandidates().indexOf(t.maxLength()) + 1);
    assertTrue(DefaultsChooser.BUDGET_TOKENS_PER_ROW / facts.meanCostLength(next) < DefaultsChooser.BUDGET_EPOCHS);
    assertEquals(32, t.batchSize(), "plenty of steps: the largest batch");
    assertTrue(byKey(chosen).get("train.max-length").reason().contains("budget")
        && byKey(chosen).get("train.max-length").reason().contains("90 % of rows reach 300 tokens"),
        byKey(chosen).get("train.max-length").reason());
  }

  @Test
  void unbalancedDataWeighsEachClassAndTheMeanRowWeightIsOne() {
    long[] counts = {900, 400, 200, 100, 80, 50, 40, 30};
    Map<String, Long> labels = new TreeMap<>();
    for (int i = 0; i < counts.length; i++) {
      labels.put("c" + i, counts[i]);
    }
    Manifest m = manifest(labels, Map.of(64, 1_800L, 128, 600L), 128, 100);
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts(m), config());
    assertEquals(TrainConfig.ClassWeights.BALANCED, chosen.config().train().classWeights());
    assertTrue(byKey(chosen).get("train.class-weights").reason().contains("30.0x"),
        byKey(chosen).get("train.class-weights").reason());
    List<Double> w = ClassWeightRule.balanced(counts);
    double total = 0;
    double weighted = 0;
    for (int i = 0; i < counts.length; i++) {
      total += counts[i];
      weighted += counts[i] * w.get(i);
      assertEquals(counts[0] / (double) counts[i], w.get(i) / w.get(0), 1e-9, "inverse frequency");
    }
    assertEquals(1.0, weighted / total, 1e-12);

    // 2.5x is not unbalanced enough for auto; balanced can still be asked for
    Manifest mild = manifest(Map.of("a", 500L, "b", 200L), Map.of(64, 1_000L), 64, 40);
    assertEquals(TrainConfig.ClassWeights.NONE, DefaultsChooser.choose(facts(mild), config()).config().train()
        .classWeights());
    assertEquals(TrainConfig.ClassWeights.BALANCED, DefaultsChooser.choose(facts(mild),
        config("train.class-weights=balanced")).config().train().classWeights());
    assertEquals(TrainConfig.ClassWeights.NONE, DefaultsChooser.choose(facts(m),
        config("train.class-weights=none")).config().train().classWeights());
  }

  @Test
  void keysTheUserSetAreKeptWhereverTheyWereSet() throws Exception {
    Path file = tmp.resolve("job.conf");
    Files.writeString(file, "optimizer { lr = 1e-4 }\neval { patience = 0 }\n");
    TrainConfig given = TrainConfigLoader.load(file.toFile(), List.of("data=/tmp/x", "output.path=/tmp/y",
        "train.epochs=3", "train.batch-size=32", "train.max-length=0", "eval.every-rounds=7",
        "train.class-weights=none"));
    assertTrue(given.isExplicit("optimizer.lr") && given.isExplicit("train.epochs"));
    assertFalse(given.isExplicit("optimizer.warmup-fraction"));
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts(SMALL), given);
    TrainConfig c = chosen.config();
    assertEquals(1e-4, c.optimizer().learningRate());
    assertEquals(1e-4, c.optimizer().headRate(), "the head follows a rate the user set");
    assertEquals(3, c.train().epochs());
    assertEquals(32, c.train().batchSize());
    assertEquals(0, c.train().maxLength());
    assertEquals(7, c.eval().everyRounds());
    assertEquals(0, c.eval().patience());
    assertEquals(TrainConfig.ClassWeights.NONE, c.train().classWeights());
    Map<String, Choice> table = byKey(chosen);
    for (String key : List.of("optimizer.lr", "train.epochs", "train.batch-size", "train.max-length",
        "eval.every-rounds", "eval.patience")) {
      assertEquals("set by you", table.get(key).reason(), key);
    }
    assertFalse(table.get("optimizer.warmup-fraction").reason().equals("set by you"));
    // what was left to the data still follows the user's values: steps from 3 epochs of batch 32
    assertTrue(table.get("optimizer.warmup-fraction").reason().contains(
        String.format("%,d steps", 3 * DefaultsChooser.stepsPerEpoch(600, 2, 32))), table.toString());
    String log = chosen.table(facts(SMALL));
    assertTrue(log.startsWith("defaults chosen from the data (train split 600 rows, 2 classes"), log);
    assertTrue(log.contains("optimizer.lr") && log.contains("set by you"), log);
  }

  @Test
  void aShortRunNeverStopsEarly() {
    Manifest tiny = manifest(Map.of("a", 60L, "b", 60L), Map.of(16, 150L), 16, 12);
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts(tiny), config("train.epochs=1"));
    assertEquals(0, chosen.config().eval().patience(), chosen.table(facts(tiny)));
    assertTrue(byKey(chosen).get("eval.patience").reason().startsWith("never stop early"));
    assertEquals(0, chosen.config().eval().everyRounds(), "a short run is validated at its end only");
  }

  @Test
  void ratesFollowTheMethodAndTheHeadLearnsAtLeastAsFast() {
    DataFacts facts = facts(SMALL);
    TrainConfig lora = DefaultsChooser.choose(facts, config("method.type=lora")).config();
    TrainConfig lastN = DefaultsChooser.choose(facts, config("method.type=last_n")).config();
    TrainConfig head = DefaultsChooser.choose(facts, config("method.type=head")).config();
    assertTrue(lastN.optimizer().learningRate() * 5 < lora.optimizer().learningRate(), "whole layers train slower");
    assertTrue(lastN.optimizer().headRate() > lastN.optimizer().learningRate(), "a new head learns faster");
    assertTrue(lora.optimizer().headRate() >= lora.optimizer().learningRate());
    assertEquals(head.optimizer().learningRate(), head.optimizer().headRate());
    assertEquals(0.1, lastN.optimizer().warmupFraction());
  }

  @Test
  void aManifestWithoutPercentilesEstimatesThemFromTheBuckets() {
    Manifest m = manifest(Map.of("a", 300L, "b", 300L), Map.of(16, 100L, 32, 300L, 64, 400L, 128, 56L), 128, null);
    Manifest old = new Manifest(m.schemaVersion(), m.source(), m.tokenizer(), m.seed(), m.ratios(), m.labelMap(),
        m.buckets(), m.counts(), m.splits(), m.lengthHistogram(), new Manifest.LengthStats(3, 128, 50.0));
    DataFacts facts = facts(old);
    assertFalse(facts.p90Exact());
    assertEquals(64, facts.lengthP90(), "800 of 856 rows are in buckets up to 64 tokens: 93 %");
    assertTrue(DefaultsChooser.choose(facts, config()).table(facts).contains("(bucket estimate)"));
  }

  @Test
  void chunkedDataKeepsTheWindowLengthAndTrainsAtLeastTheWindowsAsRowsEpochs() {
    // 2,400 train windows of 150 documents, all at 256 tokens: the budget would cut unchunked rows shorter
    Manifest rows = manifest(Map.of("d", 1_200L, "r", 1_200L), Map.of(128, 100L, 256, 2_900L), 256, 256);
    Manifest windows = new Manifest(2, rows.source(), rows.tokenizer(), rows.seed(), rows.ratios(), rows.labelMap(),
        rows.buckets(), rows.counts(), rows.splits(), rows.lengthHistogram(), rows.lengths(),
        new Manifest.Chunks(32, 16, 180, 3_000, 100, Map.of("train", 150L, "val", 15L, "test", 15L), Map.of()));
    DataFacts facts = facts(windows);
    assertTrue(facts.chunked());
    assertEquals(150, facts.trainDocuments());
    assertEquals(2_400, facts.trainRows());
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, config("method.type=lora"));
    assertEquals(256, chosen.config().train().maxLength(), "a window is never cut");
    assertTrue(byKey(chosen).get("train.max-length").reason().contains("windows of 150 documents"),
        byKey(chosen).get("train.max-length").reason());
    assertTrue(chosen.table(facts).contains("2,400 rows = windows of 150 documents"), chosen.table(facts));
    // the same rows unchunked: the budget (2 epochs minimum) makes them shorter
    assertTrue(DefaultsChooser.choose(facts(rows), config("method.type=lora")).config().train().maxLength() < 256);
    // the budget counts the 150 documents: more epochs than the same 2,400 rows unchunked at that length get
    assertTrue(chosen.config().train().epochs() > DefaultsChooser.choose(facts(rows), config("method.type=lora",
        "train.max-length=256")).config().train().epochs(), chosen.table(facts));
  }

  /** Chunked manifest: {@code windows} train windows of {@code documents} documents, all {@code length} tokens. */
  static DataFacts chunked(long documents, long windows, int length) {
    Manifest rows = manifest(Map.of("d", windows / 2, "r", windows - windows / 2), Map.of(length, windows * 10 / 7),
        length, length);
    Manifest m = new Manifest(2, rows.source(), rows.tokenizer(), rows.seed(), rows.ratios(), rows.labelMap(),
        rows.buckets(), rows.counts(), rows.splits(), rows.lengthHistogram(), rows.lengths(),
        new Manifest.Chunks(length / 8, 16, documents * 10 / 7, windows * 10 / 7, 0,
            Map.of("train", documents, "val", documents * 3 / 14, "test", documents * 3 / 14), Map.of()));
    return facts(m);
  }

  /** The demo's budget: 4 epochs of 64 tokens on its 3,500 train rows, in row-tokens. */
  static final double DEMO = DefaultsChooser.BUDGET_TOKENS_PER_ROW * (double) DefaultsChooser.BUDGET_FLOOR_ROWS;

  private static double work(DataFacts facts, TrainConfig.Train t) {
    return t.epochs() * (double) facts.trainRows() * facts.meanCostLength(t.maxLength());
  }

  @Test
  void fewDocumentsGetTheEpochsTheCapAllowsAndNoMore() {
    // sotu-like: 141 addresses, 2,245 windows of 256 tokens; windows counted as rows gave 1.6 (2) epochs
    DataFacts facts = chunked(141, 2_245, 256);
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, config("method.type=lora"));
    TrainConfig.Train t = chosen.config().train();
    double work = work(facts, t);
    // the cap: 3x the demo's budget (141 documents count as 3,500) = 4.7 epochs, and the nearest whole number: 5
    double epochsInCap = DefaultsChooser.CHUNKED_CAP * DEMO / (work / t.epochs());
    assertEquals(4.68, epochsInCap, 0.01, t.toString());
    assertEquals(5, t.epochs(), "the nearest whole number of epochs, not the largest within the cap: " + t);
    assertTrue(Math.abs(t.epochs() - epochsInCap) <= 0.5, epochsInCap + " epochs in the cap, " + t);
    assertTrue(work > 2 * DEMO, "more than twice the demo's work (windows as rows: at most the demo's): " + t);
    assertTrue(t.epochs() >= 2 * DefaultsChooser.MIN_EPOCHS, t.toString());
    String reason = byKey(chosen).get("train.epochs").reason();
    assertTrue(reason.startsWith("compute budget per document") && reason.contains("141 documents")
        && reason.contains("; the cap decides: "), reason);
    // a quarter of the documents with the same windows: the cap still holds the run (no more epochs)
    assertEquals(t.epochs(), DefaultsChooser.choose(chunked(35, 2_245, 256), config("method.type=lora")).config()
        .train().epochs());
    // the steps still count windows: batch and validations follow the longer run
    long steps = t.epochs() * DefaultsChooser.stepsPerEpoch(2_245, t.workers(), t.batchSize());
    assertTrue(byKey(chosen).get("train.batch-size").reason().startsWith(String.format("%,d optimizer steps", steps)),
        byKey(chosen).get("train.batch-size").reason());
    // an explicit epoch count still wins
    assertEquals(2, DefaultsChooser.choose(facts, config("train.epochs=2")).config().train().epochs());
  }

  @Test
  void shortDocumentsGetTheEpochsTheirCountAsRowsWouldGet() {
    // 1,000 documents of 2 windows of 64 tokens: under the cap, each document gets the epochs a row would
    DataFacts facts = chunked(1_000, 2_000, 64);
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, config("method.type=lora"));
    int epochs = chosen.config().train().epochs();
    // 1,000 unchunked rows of 64 tokens: the number of epochs the per-row rule gives (small data, more epochs)
    Manifest docs = manifest(Map.of("d", 500L, "r", 500L), Map.of(64, 1_430L), 64, 64);
    int asDocuments = DefaultsChooser.choose(facts(docs), config("method.type=lora")).config().train().epochs();
    assertEquals(asDocuments, epochs, chosen.table(facts));
    // the 2,000 windows counted as rows would get half as many (floor)
    Manifest windows = manifest(Map.of("d", 1_000L, "r", 1_000L), Map.of(64, 2_860L), 64, 64);
    int asWindows = DefaultsChooser.choose(facts(windows), config("method.type=lora")).config().train().epochs();
    assertTrue(asWindows < epochs, asWindows + " vs " + epochs);
    assertTrue(work(facts, chosen.config().train()) < DefaultsChooser.CHUNKED_CAP * DEMO);
    assertTrue(byKey(chosen).get("train.epochs").reason().contains("; the per-document budget decides: "),
        byKey(chosen).get("train.epochs").reason());
  }

  @Test
  void manyDocumentsOfManyWindowsKeepTheBudgetOfTheWindowsAsRows() {
    // 20,000 documents of 4 windows of 128 tokens: 3x the demo per document is less than the windows as rows get
    DataFacts facts = chunked(20_000, 80_000, 128);
    DefaultsChooser.Chosen chosen = DefaultsChooser.choose(facts, config("method.type=lora"));
    Manifest windows = manifest(Map.of("d", 40_000L, "r", 40_000L), Map.of(128, 114_285L), 128, 128);
    assertEquals(DefaultsChooser.choose(facts(windows), config("method.type=lora", "train.max-length=128")).config()
        .train().epochs(), chosen.config().train().epochs(), chosen.table(facts));
    assertTrue(byKey(chosen).get("train.epochs").reason().contains("; the windows-as-rows budget decides: "),
        byKey(chosen).get("train.epochs").reason());
  }

  @Test
  void theCapCountsDocumentsAboveTheFloor() {
    // the same 20,000 windows of 128 tokens: from 10,000 documents the cap (3x the demo per document) allows
    // 3 epochs; from 5,000 documents it allows 1.5, and the windows as rows get 2
    DataFacts many = chunked(10_000, 20_000, 128);
    DataFacts fewer = chunked(5_000, 20_000, 128);
    TrainConfig.Train t = DefaultsChooser.choose(many, config("method.type=lora")).config().train();
    TrainConfig.Train u = DefaultsChooser.choose(fewer, config("method.type=lora")).config().train();
    assertTrue(t.epochs() > u.epochs(), t.epochs() + " vs " + u.epochs());
    assertTrue(work(many, t) <= DefaultsChooser.CHUNKED_CAP * DefaultsChooser.BUDGET_TOKENS_PER_ROW * 10_000.0);
    assertTrue(work(many, t) > DefaultsChooser.BUDGET_TOKENS_PER_ROW * 20_000.0, "more than the windows as rows");
    assertEquals(DefaultsChooser.MIN_EPOCHS, u.epochs(), "the windows as rows: " + u);
  }
}
