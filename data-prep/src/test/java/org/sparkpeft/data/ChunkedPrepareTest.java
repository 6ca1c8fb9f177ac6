package org.sparkpeft.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.tokenizer.TextTokenizer;

/** tokenizer.long-text = chunk on local[2]: one row per window, documents kept whole within a split, counts. */
class ChunkedPrepareTest {

  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("prepare-chunks");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Document i: i % 7 sentences after its title, so lengths vary from one window to several. */
  private static String text(int i) {
    return "document " + i + " begins. " + ("it goes on about topic " + i + " at some length. ").repeat(1 + 4 * (i % 7));
  }

  private static Path csv(Path dir, int documents) {
    StringBuilder csv = new StringBuilder("id,text,label\n");
    for (int i = 0; i < documents; i++) {
      csv.append("d").append(i).append(",\"").append(text(i)).append("\",").append(i % 2 == 0 ? "even" : "odd")
          .append('\n');
    }
    return PrepareFixture.write(dir.resolve("in.csv"), csv.toString());
  }

  @Test
  void everyDocumentIsItsWindowsInOneSplit() throws Exception {
    Path in = csv(tmp, 60);
    String out = tmp.resolve("out").toString();
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + in, "input.format=csv", "input.id-col=id",
        "output.path=" + out, "tokenizer.max-length=24", "tokenizer.long-text=chunk", "tokenizer.chunk-overlap=4",
        "tokenizer.max-chunks=5");
    for (String split : List.of("train", "val", "test")) {
      assertEquals(ShardSchema.CHUNKED_SCHEMA, spark.read().parquet(out + "/" + split).schema(), split);
    }
    Map<String, String> splitOf = PrepareFixture.splitOf(spark, out);
    Map<String, Row> rows = PrepareFixture.shardRows(spark, out);
    Map<String, TreeMap<Integer, Row>> byDocument = new HashMap<>();
    for (Row r : rows.values()) {
      String doc = r.getAs(ShardSchema.DOC_ID);
      int chunk = r.getAs(ShardSchema.CHUNK);
      assertEquals(ShardSchema.chunkRowId(doc, chunk), r.getAs(ShardSchema.ROW_ID));
      byDocument.computeIfAbsent(doc, k -> new TreeMap<>()).put(chunk, r);
    }
    assertEquals(60, byDocument.size());
    long capped = 0;
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(24)) {
      for (int i = 0; i < 60; i++) {
        String doc = "d" + i;
        TreeMap<Integer, Row> windows = byDocument.get(doc);
        List<int[]> expected = tokenizer.windows(text(i), 4, 5).chunks();
        capped += tokenizer.windows(text(i), 4, 5).capped() ? 1 : 0;
        assertEquals(expected.size(), windows.size(), doc);
        assertEquals(windows.size() - 1, windows.lastKey(), doc + ": windows 0..n-1");
        String split = splitOf.get(ShardSchema.chunkRowId(doc, 0));
        for (Map.Entry<Integer, Row> w : windows.entrySet()) {
          Row r = w.getValue();
          List<Integer> ids = r.getList(r.fieldIndex(ShardSchema.INPUT_IDS));
          int[] actual = ids.stream().mapToInt(Integer::intValue).toArray();
          assertArrayEquals(expected.get(w.getKey()), actual, doc + " window " + w.getKey());
          assertEquals(101, actual[0]);
          assertEquals(102, actual[actual.length - 1]);
          assertTrue(actual.length <= 24);
          assertEquals(i % 2 == 0 ? 0 : 1, (int) r.getAs(ShardSchema.LABEL));
          assertEquals(split, splitOf.get(r.getAs(ShardSchema.ROW_ID)), doc + ": all windows in one split");
        }
      }
    }
    assertTrue(byDocument.values().stream().anyMatch(w -> w.size() > 2), "some documents are several windows");
    assertTrue(capped > 0, "some documents need more than 5 windows");

    Manifest m = result.manifest();
    assertEquals(ShardSchema.CHUNKED_VERSION, m.schemaVersion());
    assertEquals(60, m.counts().shardRows(), "counts are documents");
    assertEquals(60, m.chunks().documents());
    assertEquals(rows.size(), m.chunks().chunks());
    assertEquals(capped, m.chunks().capped());
    assertEquals(4, m.chunks().overlap());
    assertEquals(5, m.chunks().maxChunks());
    long windowRows = 0;
    for (String split : List.of("train", "val", "test")) {
      windowRows += m.splits().get(split).rows();
      long documents = splitOf.entrySet().stream()
          .filter(e -> e.getValue().equals(split) && e.getKey().endsWith("#0")).count();
      assertEquals(documents, m.chunks().documentsBySplit().get(split), split);
      assertEquals(documents, m.chunks().labelsBySplit().get(split).values().stream().mapToLong(Long::longValue)
          .sum(), split);
    }
    assertEquals(rows.size(), windowRows, "split rows are windows");
    String json = Files.readString(Path.of(out, "manifest.json"));
    PrepareFixture.assertContainsAll(json, "\"schema_version\" : 2", "\"chunks\" : {", "\"documents_by_split\"");
  }

  @Test
  void documentsLandInTheSplitTheTruncatingPrepareGivesThem() throws Exception {
    Path in = csv(tmp, 60);
    String truncated = tmp.resolve("truncated").toString();
    String chunked = tmp.resolve("chunked").toString();
    PrepareFixture.prepare(spark, "input.path=" + in, "input.format=csv", "input.id-col=id",
        "output.path=" + truncated, "tokenizer.max-length=24");
    PrepareFixture.prepare(spark, "input.path=" + in, "input.format=csv", "input.id-col=id",
        "output.path=" + chunked, "tokenizer.max-length=24", "tokenizer.long-text=chunk");
    Map<String, String> before = PrepareFixture.splitOf(spark, truncated);
    Map<String, String> after = new TreeMap<>();
    PrepareFixture.splitOf(spark, chunked).forEach((row, split) -> after.put(row.substring(0, row.indexOf('#')),
        split));
    assertEquals(before, after);
    // truncation still writes version 1 files and a manifest without chunks
    assertEquals(ShardSchema.SCHEMA, spark.read().parquet(truncated + "/train").schema());
    String json = Files.readString(Path.of(truncated, "manifest.json"));
    assertTrue(json.contains("\"schema_version\" : 1") && !json.contains("\"chunks\""), json);
  }
}
