package org.sparkpeft.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * Every method fine-tuned in one JVM ({@link FineTuning#fit}) on the real all-MiniLM-L6-v2 with a small real
 * labelled sample (SpamAssassin: 240 training and 120 held-out emails, 60 % ham, fixed seed, 32 tokens of Subject
 * + body) beats the majority-class baseline by at least 15 points on the held-out set after 300 steps (the issue's
 * "a few hundred"). Short sequences and small batches keep it to about 50 s per method on 2 cores;
 * {@code -Dsparkpeft.finetune.steps=N} changes the step count. The printed losses are 15-step means of the minibatch data loss (noisy at batch size 4).
 */
@ExtendWith(OneNativeThread.class)
class FineTuningSpamAssassinTest {

  private static final int MAX_LENGTH = 32;
  private static final int STEPS = Integer.getInteger("sparkpeft.finetune.steps", 300);
  private static final Map<String, String> RESULTS = new LinkedHashMap<>();

  private static ComputationGraph baseGraph;
  private static List<TokenBatch> train;
  private static List<TokenBatch> test;
  private static double majority;

  @BeforeAll
  static void load() {
    BaseModel base = BaseModel.defaultModel();
    baseGraph = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
    List<SpamAssassinSample.Email> emails = SpamAssassinSample.draw(216, 144, 2024);
    List<int[]> ids = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), MAX_LENGTH)) {
      for (SpamAssassinSample.Email email : emails) {
        ids.add(tokenizer.encode(email.text()).ids());
        labels.add(email.label());
      }
    }
    int cut = 240;
    train = TokenBatch.split(ids.subList(0, cut), labels.subList(0, cut), 4);
    test = TokenBatch.split(ids.subList(cut, ids.size()), labels.subList(cut, labels.size()), 30);
    List<Integer> held = labels.subList(cut, labels.size());
    long ham = held.stream().filter(l -> l == 0).count();
    majority = Math.max(ham, held.size() - ham) / (double) held.size();
    assertEquals(120, held.size());
  }

  static Stream<Arguments> methods() {
    return Stream.of(
        Arguments.of("head", Map.of(), 1e-2),
        Arguments.of("last_n", Map.of("n", "1"), 1e-3),
        Arguments.of("bitfit", Map.of(), 1e-3),
        Arguments.of("lora", Map.of("r", "8", "lora_alpha", "16", "target_modules", "query,value"), 1e-3),
        Arguments.of("ia3", Map.of(), 2e-2),
        Arguments.of("adapter", Map.of("size", "16"), 3e-3));
  }

  @ParameterizedTest
  @MethodSource("methods")
  void fineTunedInOneJvmEveryMethodBeatsTheMajorityClass(String type, Map<String, String> options, double lr) {
    PeftModel model = PeftMethods.create(baseGraph, PeftMethods.parse(type, options, HeadConfig.linear(2)),
        Optimization.adamW(lr, 0.01));
    long start = System.nanoTime();
    FineTuning.Result result = FineTuning.fit(model, train, new FitOptions(100, STEPS, 7), FineTuning.StepListener.NONE);
    double seconds = (System.nanoTime() - start) / 1e9;
    double after = FineTuning.accuracy(result.model(), test);
    List<Double> losses = result.losses();
    assertEquals(STEPS, losses.size());
    double firstLoss = losses.subList(0, 15).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double lastLoss = losses.subList(losses.size() - 15, losses.size()).stream().mapToDouble(Double::doubleValue)
        .average().orElseThrow();
    String line = String.format(java.util.Locale.ROOT, "%-8s accuracy %.3f vs majority %.3f ; "
            + "loss %.3f -> %.3f over %d steps of 4 (%.1f s); trainable %,d", type, after, majority, firstLoss,
        lastLoss, STEPS, seconds, model.trainableCount());
    RESULTS.put(type, line);
    System.out.println("FINETUNE " + line);
    assertTrue(after >= majority + 0.15, type + " must beat the majority class clearly: " + line);
  }

  @AfterAll
  static void report() {
    System.out.println("FINETUNE summary (SpamAssassin, 240 train / 120 held out, all-MiniLM-L6-v2, max length "
        + MAX_LENGTH + "):");
    RESULTS.values().forEach(l -> System.out.println("FINETUNE   " + l));
  }
}
