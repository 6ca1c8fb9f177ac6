package org.sparkpeft.job.train.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class LabelWarningsTest {

  private static DataFacts facts(long... counts) {
    long rows = 0;
    for (long c : counts) {
      rows += c;
    }
    return new DataFacts(Math.max(1, rows), counts, 30, true, 256, new TreeMap<>());
  }

  @Test
  void anOrdinarySplitGetsNoWarning() {
    assertEquals(List.of(), LabelWarnings.of(facts(558, 20, 300), List.of("a", "b", "c")));
    // two labels, one row each: too small to call the column an id
    assertEquals(List.of(), LabelWarnings.of(facts(1, 1), List.of("a", "b")));
  }

  @Test
  void aLabelWithNoTrainRowIsNamed() {
    List<String> warnings = LabelWarnings.of(facts(113, 0, 129), List.of("animal", "feeling", "plant"));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("1 of the 3 labels have no row in the train split (feeling): the model can "
        + "never predict it"), warnings.get(0));
  }

  @Test
  void anIdColumnGivenAsTheLabelIsCalledOut() {
    // 301 ids as labels over 242 train rows: 242 labels with one row, 59 with none
    List<String> labels = new ArrayList<>();
    long[] counts = new long[301];
    for (int i = 0; i < counts.length; i++) {
      labels.add("id" + i);
      counts[i] = i < 242 ? 1 : 0;
    }
    List<String> warnings = LabelWarnings.of(facts(counts), labels);
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("301 of the 301 labels have at most one train row (242 train rows): is the "
        + "label column (input.label-col) the label"), warnings.get(0));
    assertTrue(warnings.get(1).startsWith("59 of the 301 labels have no row in the train split (id242, id243, id244, "
        + "id245, id246 and 54 more)"), warnings.get(1));
  }
}
