package org.sparkpeft.job.train.defaults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the train split's label counts say that no setting fixes, as WARN lines before training: labels with no train
 * row (the model can never predict them: a rare label the split put wholly into validation or test), and a label
 * column whose values mostly name one row each (an id or a free-text column given as the label).
 */
public final class LabelWarnings {

  /** Labels named in a warning; the rest are counted. */
  static final int NAMED = 5;

  private LabelWarnings() {}

  /** The warnings for {@code facts}, whose label counts are in the order of {@code labels}; empty when none apply. */
  public static List<String> of(DataFacts facts, List<String> labels) {
    long[] counts = facts.trainLabelCounts();
    if (counts.length != labels.size()) {
      throw new IllegalArgumentException(counts.length + " label counts for " + labels.size() + " labels");
    }
    List<String> unseen = new ArrayList<>();
    int atMostOne = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        unseen.add(labels.get(i));
      }
      if (counts[i] <= 1) {
        atMostOne++;
      }
    }
    List<String> out = new ArrayList<>();
    if (labels.size() > 2 && 2L * atMostOne > labels.size()) {
      out.add(String.format(Locale.ROOT, "%,d of the %,d labels have at most one train row (%,d train rows): is the "
          + "label column (input.label-col) the label, not an id or a text?", atMostOne, labels.size(),
          facts.trainRows()));
    }
    if (!unseen.isEmpty()) {
      String named = String.join(", ", unseen.subList(0, Math.min(NAMED, unseen.size())))
          + (unseen.size() > NAMED ? String.format(Locale.ROOT, " and %,d more", unseen.size() - NAMED) : "");
      out.add(String.format(Locale.ROOT, "%d of the %d labels have no row in the train split (%s): the model can "
          + "never predict %s; more rows of %s, or another split.seed, would let it", unseen.size(), labels.size(),
          named, unseen.size() == 1 ? "it" : "them", unseen.size() == 1 ? "it" : "them"));
    }
    return out;
  }
}
