package org.sparkpeft.models.peft.auto;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses what {@code auto} trains under a budget: a deterministic greedy solution of the multiple-choice knapsack
 * over the groups. Each group offers options (a bias or LayerNorm: train fully; a matrix: LoRA of each allowed
 * rank or train fully), each with a cost (parameters) and a gain (importance it captures):
 * <ul>
 *   <li>fully trained: the group's empirical Fisher (mean squared batch gradient summed over it);</li>
 *   <li>LoRA of rank r on a matrix: the sum of the r largest eigenvalues of its mean gradient Gram, the gradient
 *       energy the best rank-r update can capture (at most the matrix's Fisher; a proxy, since LoRA learns its
 *       subspace rather than starting on the best one).</li>
 * </ul>
 * Starting from everything frozen, it repeatedly applies the change of one group's option (up, or sideways to a
 * cheaper option with more gain) with the highest gain per added parameter that still fits, ties to the larger
 * gain, then the earlier group, then the cheaper option, until no change fits with a gain above {@link #NEGLIGIBLE}
 * times the largest group Fisher (so a group the loss cannot feel, such as a key bias under softmax, stays frozen).
 * The sum of planned parameters never exceeds the budget.
 */
public final class Planner {

  /** The default LoRA ranks a matrix may get. */
  public static final Set<Integer> RANKS = Set.of(1, 2, 4, 8, 16);

  /** Gains at most this fraction of the largest group's Fisher count as none (rounding, not importance). */
  public static final double NEGLIGIBLE = 1e-9;

  private Planner() {}

  private record Option(AutoPlan.Choice choice, int rank, long cost, double gain) {}

  /** The plan for {@code groups} with importance {@code importance} under {@code budget} encoder parameters. */
  public static AutoPlan plan(List<ParamGroup> groups, Importance importance, long budget, long baseParams,
                              Set<Integer> ranks) {
    if (!importance.groups().equals(groups.stream().map(ParamGroup::id).toList())) {
      throw new IllegalArgumentException("the importance was estimated on other groups than the ones to plan");
    }
    if (budget < 0) {
      throw new IllegalArgumentException("the budget must be >= 0, got " + budget);
    }
    List<List<Option>> options = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      options.add(options(groups.get(i), importance, i, ranks.isEmpty() ? RANKS : new TreeSet<>(ranks)));
    }
    double floor = 0;
    for (int i = 0; i < groups.size(); i++) {
      floor = Math.max(floor, importance.meanFisher(i) * NEGLIGIBLE);
    }
    int[] chosen = new int[groups.size()];
    java.util.Arrays.fill(chosen, -1);
    long remaining = budget;
    while (true) {
      int bestGroup = -1;
      int bestOption = -1;
      double bestRatio = 0;
      double bestGain = 0;
      for (int g = 0; g < groups.size(); g++) {
        Option current = chosen[g] < 0 ? null : options.get(g).get(chosen[g]);
        long currentCost = current == null ? 0 : current.cost();
        double currentGain = current == null ? 0 : current.gain();
        for (int o = 0; o < options.get(g).size(); o++) {
          Option option = options.get(g).get(o);
          long addedCost = option.cost() - currentCost;
          double addedGain = option.gain() - currentGain;
          if (o == chosen[g] || !(addedGain > floor) || addedCost > remaining) {
            continue;
          }
          double ratio = addedCost <= 0 ? Double.POSITIVE_INFINITY : addedGain / addedCost;
          if (bestGroup < 0 || ratio > bestRatio || (ratio == bestRatio && addedGain > bestGain)) {
            bestGroup = g;
            bestOption = o;
            bestRatio = ratio;
            bestGain = addedGain;
          }
        }
      }
      if (bestGroup < 0) {
        break;
      }
      long before = chosen[bestGroup] < 0 ? 0 : options.get(bestGroup).get(chosen[bestGroup]).cost();
      remaining -= options.get(bestGroup).get(bestOption).cost() - before;
      chosen[bestGroup] = bestOption;
    }
    List<AutoPlan.Entry> entries = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      ParamGroup group = groups.get(g);
      Option option = chosen[g] < 0 ? null : options.get(g).get(chosen[g]);
      entries.add(new AutoPlan.Entry(group.id(), group.kind().label(), importance.meanFisher(g),
          importance.meanTaylor(g), option == null ? AutoPlan.Choice.FROZEN : option.choice(),
          option == null ? 0 : option.rank(), option == null ? 0 : option.cost()));
    }
    return new AutoPlan(budget, baseParams, importance.batches(), entries);
  }

  /**
   * A random plan of the same shape under the same budget, the control of an importance-driven one: the groups in
   * an order shuffled with {@code seed}, each given one of its options (LoRA of an allowed rank or full for a
   * matrix, full otherwise) drawn at random among those that still fit, or left frozen when none fits. No scores
   * (they are 0); reproducible for a fixed seed; never over the budget.
   */
  public static AutoPlan random(List<ParamGroup> groups, long budget, long baseParams, Set<Integer> ranks, long seed) {
    if (budget < 0) {
      throw new IllegalArgumentException("the budget must be >= 0, got " + budget);
    }
    Set<Integer> allowed = ranks.isEmpty() ? RANKS : new TreeSet<>(ranks);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      order.add(i);
    }
    java.util.Random random = new java.util.Random(seed);
    java.util.Collections.shuffle(order, random);
    AutoPlan.Entry[] entries = new AutoPlan.Entry[groups.size()];
    long remaining = budget;
    for (int i : order) {
      ParamGroup group = groups.get(i);
      List<Option> fitting = new ArrayList<>();
      for (Option option : options(group, null, i, allowed)) {
        if (option.cost() <= remaining) {
          fitting.add(option);
        }
      }
      Option pick = fitting.isEmpty() ? null : fitting.get(random.nextInt(fitting.size()));
      remaining -= pick == null ? 0 : pick.cost();
      entries[i] = new AutoPlan.Entry(group.id(), group.kind().label(), 0, 0,
          pick == null ? AutoPlan.Choice.FROZEN : pick.choice(), pick == null ? 0 : pick.rank(),
          pick == null ? 0 : pick.cost());
    }
    return new AutoPlan(budget, baseParams, 0, List.of(entries));
  }

  /** The group's options, cheapest first (gains 0 without an importance). */
  private static List<Option> options(ParamGroup group, Importance importance, int index, Set<Integer> ranks) {
    List<Option> out = new ArrayList<>();
    double fisher = importance == null ? 0 : importance.meanFisher(index);
    if (group.kind() == ParamGroup.Kind.MATRIX) {
      double[] spectrum = importance == null ? new double[0] : importance.spectrum(index);
      for (int r : ranks) {
        if (group.takesRank(r)) {
          double captured = 0;
          for (int k = 0; k < Math.min(r, spectrum.length); k++) {
            captured += spectrum[k];
          }
          out.add(new Option(AutoPlan.Choice.LORA, r, group.loraCount(r), Math.min(captured, fisher)));
        }
      }
    }
    out.add(new Option(AutoPlan.Choice.FULL, 0, group.count(), fisher));
    out.sort(java.util.Comparator.comparingLong(Option::cost));
    return out;
  }
}
