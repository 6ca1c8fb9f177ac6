package org.sparkpeft.data.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RowAccountingTest {

  @Test
  void balancedCountsPass() {
    RowAccounting ok = new RowAccounting(100, 100, 90, 85, 10, 85, 10);
    assertTrue(ok.balanced());
    assertEquals(5, ok.duplicates());
    ok.verify("in.csv");
  }

  @Test
  void aLostOrExtraRowAnywhereFailsTheJob() {
    for (RowAccounting bad : List.of(
        new RowAccounting(100, 100, 90, 85, 10, 84, 10),    // a shard row lost in writing
        new RowAccounting(100, 100, 90, 85, 10, 85, 9),     // a reject lost in writing
        new RowAccounting(101, 101, 90, 85, 10, 85, 10),    // an input row neither accepted nor rejected
        new RowAccounting(100, 100, 90, 85, 10, 86, 10),    // a row written twice
        new RowAccounting(16, 13, 12, 12, 1, 12, 1))) {     // 16 CSV records the reader made 13 rows (issue 19)
      assertFalse(bad.balanced(), bad.toString());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> bad.verify("in.csv"));
      assertTrue(e.getMessage().startsWith("row accounting does not add up for in.csv"), e.getMessage());
    }
  }

  @Test
  void theManifestRoundTripsThroughJson() throws Exception {
    Manifest m = new Manifest(1, new Manifest.SourceInfo("csv", "/in.csv", "text", "label", null, null, List.of(),
        "NFKC", 100, List.of()), new Manifest.TokenizerInfo("tok", "ab", 16, "head"), 42, Map.of("train", 1.0), Map.of("a", 0),
        List.of(16), new Manifest.Counts(3, 3, 2, 0, 1, Map.of("empty_text", 1L), 0, 30, true),
        Map.of("train", new Manifest.SplitInfo(2, Map.of("a", 2L), 0)), Map.of("16", 2L),
        new Manifest.LengthStats(3, 5, 4.0, 4, 5, 5, 5));
    String json = ManifestJson.toJson(m);
    assertTrue(json.contains("\"schema_version\" : 1") && json.contains("\"rejects_by_reason\"")
        && json.contains("\"input_records\" : 3"), json);
    assertEquals(m, ManifestJson.fromJson(json));
  }

  @Test
  void aManifestWrittenBeforeThePercentilesReadsWithoutThem() throws Exception {
    Manifest m = ManifestJson.fromJson("{\"schema_version\": 1, \"lengths\": {\"min\": 3, \"max\": 9, \"mean\": 5.5}}");
    assertEquals(new Manifest.LengthStats(3, 9, 5.5), m.lengths());
    assertEquals(null, m.lengths().p90());
  }

  @Test
  void quantilesOfAnExactHistogram() {
    java.util.SortedMap<Integer, Long> h = new java.util.TreeMap<>(Map.of(10, 5L, 20, 4L, 300, 1L));
    assertEquals(10, Manifest.LengthStats.quantile(h, 0.5));
    assertEquals(20, Manifest.LengthStats.quantile(h, 0.9));
    assertEquals(300, Manifest.LengthStats.quantile(h, 0.95));
  }
}
