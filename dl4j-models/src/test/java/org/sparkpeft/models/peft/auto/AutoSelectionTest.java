package org.sparkpeft.models.peft.auto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.sparkpeft.models.OneNativeThread;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.EmbeddingConf;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TokenBatch;

/** Groups, importance, budget and plan of {@code auto} on the tiny BERT. */
@ExtendWith(OneNativeThread.class)
class AutoSelectionTest {

  private static ComputationGraph base;
  private static List<TokenBatch> sample;
  private static PeftModel head;
  private static Importance importance;

  @BeforeAll
  static void estimate() {
    base = TinyBert.encoder(TinyBert.CONFIG, PoolingConf.Mode.MEAN, DataType.FLOAT);
    sample = TaskBatches.of(3, 6, 8);
    head = AutoSelection.fitHead(base, config("5%"), sample, Optimization.adamW(1e-2, 0));
    importance = new ImportanceEstimator(head).estimate(sample);
  }

  private static AutoConfig config(String budget) {
    return AutoConfig.parse(Map.of("budget", budget, "head_steps", "20"), HeadConfig.linear(2));
  }

  @Test
  void theGroupsCoverEveryParameterButTheEmbeddingTables() {
    List<ParamGroup> groups = ParamGroup.of(base.getConfiguration());
    assertEquals(1 + TinyBert.CONFIG.layers() * (6 * 2 + 2), groups.size());
    assertEquals(groups.size(), new HashSet<>(groups.stream().map(ParamGroup::id).toList()).size(), "unique ids");
    long covered = groups.stream().mapToLong(ParamGroup::count).sum();
    long tables = base.getLayer(EmbeddingConf.NAME).paramTable().entrySet().stream()
        .filter(e -> !e.getKey().startsWith("norm")).mapToLong(e -> e.getValue().length()).sum();
    assertEquals(base.numParams() - tables, covered);
    ParamGroup intermediate = groups.stream().filter(g -> g.id().equals("encoder.layer.1.intermediate.dense.weight"))
        .findFirst().orElseThrow();
    assertEquals(32 * 48, intermediate.count());
    assertEquals(4 * (32 + 48), intermediate.loraCount(4));
  }

  @Test
  void theFisherOfAGroupIsItsSquaredGradientFromAFullyTrainableModel() {
    TokenBatch batch = sample.get(0);
    Importance one = new ImportanceEstimator(head).estimate(List.of(batch));
    PeftModel all = PeftMethods.create(base, PeftMethods.parse("last_n", Map.of("n", "2"), HeadConfig.linear(2)),
        Optimization.adamW(1e-2, 0));
    head.graph().getLayer(HeadConfig.OUTPUT).paramTable().forEach((k, v) ->
        all.graph().getLayer(HeadConfig.OUTPUT).setParam(k, v.dup()));
    MultiDataSet data = batch.toMultiDataSet(2);
    all.graph().setInputs(data.getFeatures());
    all.graph().setLabels(data.getLabels());
    all.graph().setLayerMaskArrays(data.getFeaturesMaskArrays(), null);
    all.graph().computeGradientAndScore();
    Map<String, INDArray> grads = all.graph().gradient().gradientForVariable();
    for (String group : List.of("encoder.layer.0.attention.self.query.weight", "encoder.layer.1.output.dense.bias",
        "encoder.layer.1.attention.output.LayerNorm")) {
      int i = one.groups().indexOf(group);
      ParamGroup g = ParamGroup.of(base.getConfiguration()).get(i);
      double expected = g.keys().stream().mapToDouble(k -> grads.get(k).castTo(DataType.DOUBLE)
          .norm2Number().doubleValue()).map(n -> n * n).sum();
      assertTrue(expected > 0, group);
      assertEquals(expected, one.meanFisher(i), 1e-4 * expected, group);
    }
    INDArray before = head.graph().params().dup();
    new ImportanceEstimator(head).estimate(sample);
    assertEquals(before, head.graph().params(), "estimating moves nothing");
  }

  @Test
  void partialsMergeToTheWholeEstimate() {
    ImportanceEstimator estimator = new ImportanceEstimator(head);
    Importance a = estimator.estimate(sample.subList(0, 2));
    Importance b = estimator.estimate(sample.subList(2, 3));
    Importance c = estimator.estimate(sample.subList(3, 6));
    Importance left = Importance.merge(Importance.merge(a, b), c);
    Importance right = Importance.merge(a, Importance.merge(b, c));
    assertEquals(6, left.batches());
    for (int i = 0; i < importance.groups().size(); i++) {
      assertEquals(importance.fisher()[i], left.fisher()[i], 1e-9 * importance.fisher()[i]);
      assertEquals(left.fisher()[i], right.fisher()[i], 1e-12 * left.fisher()[i]);
      assertEquals(importance.taylor()[i], left.taylor()[i], 1e-9 * importance.taylor()[i]);
      assertTrue(importance.fisher()[i] > 0, importance.groups().get(i));
      double[] spectrum = importance.spectrum(i);
      if (spectrum.length > 0) {
        double trace = java.util.Arrays.stream(spectrum).sum();
        assertEquals(importance.meanFisher(i), trace, 1e-6 * trace, "the Gram's trace is the Fisher");
        assertTrue(spectrum[0] >= spectrum[spectrum.length - 1]);
      }
    }
    assertEquals(importance, Importance.merge(Importance.empty(ParamGroup.of(base.getConfiguration())), importance));
    Importance flat = a.fromFlat(Importance.addFlat(Importance.addFlat(a.toFlat(), b.toFlat()), c.toFlat()));
    assertEquals(left, flat, "the flat form merges like the record");
  }

  @Test
  void thePlanRespectsTheBudgetExactlyAndLeavesNoAffordableGroupFrozen() {
    List<ParamGroup> groups = ParamGroup.of(base.getConfiguration());
    for (String text : List.of("0", "40", "100", "1000", "5000", "1%", "10%", "100%")) {
      AutoConfig config = config(text);
      AutoPlan plan = AutoSelection.plan(base, config, importance);
      long budget = new Budget(text).of(base.numParams());
      assertEquals(budget, plan.budget());
      assertTrue(plan.planned() <= budget, text + ": " + plan.planned());
      long left = budget - plan.planned();
      for (int i = 0; i < groups.size(); i++) {
        AutoPlan.Entry entry = plan.entries().get(i);
        ParamGroup group = groups.get(i);
        long cheapest = group.kind() == ParamGroup.Kind.MATRIX ? Math.min(group.count(), group.loraCount(1))
            : group.count();
        if (entry.choice() == AutoPlan.Choice.FROZEN && entry.fisher() > 1e-6) {
          assertTrue(cheapest > left, text + ": " + group.id() + " (" + cheapest + ") fits the " + left + " left");
        }
      }
      PeftModel model = PeftMethods.create(base, config.withPlan(plan), Optimization.adamW(1e-3, 0));
      long headCount = model.trainableByGroup().getOrDefault("head", 0L);
      assertEquals(plan.planned(), model.trainableCount() - headCount, text + ": the model trains the plan");
      if (text.equals("5000")) {
        System.out.println("AUTO plan, tiny BERT, budget 5000:\n" + plan.table());
        assertTrue(plan.trained().stream().anyMatch(e -> e.choice() == AutoPlan.Choice.LORA), plan.table());
        assertTrue(plan.trained().stream().anyMatch(e -> e.choice() == AutoPlan.Choice.FULL), plan.table());
      }
    }
    assertEquals(0, AutoSelection.plan(base, config("0"), importance).planned());
    AutoPlan all = AutoSelection.plan(base, config("100%"), importance);
    assertEquals(AutoPlan.Choice.FROZEN, all.entries().get(all.entries().stream().map(AutoPlan.Entry::group).toList()
        .indexOf("encoder.layer.0.attention.self.key.bias")).choice(), "softmax cannot feel a key bias");
    assertEquals(base.numParams() / 100, AutoSelection.plan(base, config("1%"), importance).budget());
  }

  @Test
  void thePlanIsReproducibleForAFixedSeedAndRoundTripsThroughJson() {
    AutoPlan first = AutoSelection.select(base, config("3%"), sample, Optimization.adamW(1e-2, 0));
    AutoPlan second = AutoSelection.select(base, config("3%"), sample, Optimization.adamW(1e-2, 0));
    assertEquals(first, second);
    assertEquals(first.toJson(), second.toJson());
    assertEquals(first, AutoPlan.fromJson(first.toJson(), "t"));
    assertEquals(first, AutoPlan.fromJson(first.toPrettyJson(), "t"));
    Set<String> trained = new HashSet<>();
    first.trained().forEach(e -> trained.add(e.group()));
    assertTrue(!trained.isEmpty(), first.table());
    AutoPlan other = AutoSelection.select(base, config("3%"), TaskBatches.of(99, 6, 8), Optimization.adamW(1e-2, 0));
    assertNotEquals(first.toJson(), other.toJson(), "another sample gives other scores");
  }

  @Test
  void budgetsAreACountOrAPercentage() {
    assertEquals(50000, new Budget("50000").of(22_000_000));
    assertEquals(110000, new Budget("0.5%").of(22_000_000));
    assertEquals(5, new Budget(" 0.5 % ").of(1000));
    for (String bad : List.of("-1", "abc", "1.5", "101%", "", "%")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Budget(bad), bad);
      assertTrue(e.getMessage().startsWith("method.options.budget must be"), e.getMessage());
    }
    assertThrows(org.sparkpeft.models.peft.InvalidOptionException.class, () -> config("lots"));
  }

  @Test
  void aConfigWithoutAPlanIsRefusedWhenApplied() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeftMethods.create(base, config("1%"), Optimization.adamW(1e-3, 0)));
    assertTrue(e.getMessage().startsWith("auto has no plan yet"), e.getMessage());
  }

  @Test
  void aRandomPlanIsAReproducibleControlUnderTheSameBudget() {
    List<ParamGroup> groups = ParamGroup.of(base.getConfiguration());
    AutoPlan a = Planner.random(groups, 3000, base.numParams(), Set.of(), 7);
    assertEquals(a, Planner.random(groups, 3000, base.numParams(), Set.of(), 7));
    assertNotEquals(a, Planner.random(groups, 3000, base.numParams(), Set.of(), 8));
    assertTrue(a.planned() <= 3000 && a.planned() > 1500, a.table());
    PeftModel model = PeftMethods.create(base, config("3000").withPlan(a), Optimization.adamW(1e-3, 0));
    assertEquals(a.planned(), model.trainableCount() - model.trainableByGroup().getOrDefault("head", 0L));
  }
}
