package org.sparkpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.data.shard.ShardSchema;
import org.sparkpeft.data.shard.TokenizerCache;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.tokenizer.TextTokenizer;

/** The output contract on local[2]: schema, manifest, label map, duplicates, split stability, atomic writes. */
class PrepareOutputTest {

  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("prepare-output");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String rows(int from, int to) {
    StringBuilder csv = new StringBuilder("id,text,label\n");
    for (int i = from; i < to; i++) {
      csv.append(i).append(",\"").append(text(i)).append("\",").append(i % 3 == 0 ? "alpha" : "beta").append('\n');
    }
    return csv.toString();
  }

  private static String text(int i) {
    return "document number " + i + " says " + "word ".repeat(i % 40);
  }

  private PrepareResult prepareCsv(Path csv, String out, String... more) {
    List<String> settings = new ArrayList<>(List.of("input.path=" + csv, "input.format=csv", "input.id-col=id",
        "output.path=" + out));
    settings.addAll(List.of(more));
    return PrepareFixture.prepare(spark, settings.toArray(String[]::new));
  }

  @Test
  void shardsFollowTheVersionedContract() throws Exception {
    Path csv = PrepareFixture.write(tmp.resolve("in.csv"), rows(0, 120));
    String out = tmp.resolve("out").toString();
    PrepareResult result = prepareCsv(csv, out, "tokenizer.max-length=32", "tokenizer.buckets=8,16");
    for (String split : List.of("train", "val", "test")) {
      assertEquals(ShardSchema.SCHEMA, spark.read().parquet(out + "/" + split).schema(), split);
    }
    List<Row> all = new ArrayList<>(PrepareFixture.shardRows(spark, out).values());
    assertEquals(120, all.size());
    long truncated = 0;
    List<Integer> lengths = new ArrayList<>();
    for (Row r : all) {
      List<Integer> ids = r.getList(r.fieldIndex("input_ids"));
      int length = r.getAs("length");
      lengths.add(length);
      assertEquals(ids.size(), length);
      assertTrue(length <= 32);
      assertEquals(101, ids.get(0));
      assertEquals(102, ids.get(ids.size() - 1));
      int bucket = r.getAs("bucket");
      assertEquals(length <= 8 ? 8 : length <= 16 ? 16 : 32, bucket);
    }
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(32)) {
      for (int i = 0; i < 120; i++) {
        truncated += tokenizer.encode(text(i)).truncated() ? 1 : 0;
      }
    }
    Manifest m = PrepareFixture.manifest(out);
    assertEquals(m, result.manifest());
    assertEquals(ShardSchema.VERSION, m.schemaVersion());
    assertEquals(truncated, m.counts().truncated());
    assertTrue(truncated > 0);
    assertEquals(List.of(8, 16, 32), m.buckets());
    assertEquals(120L, m.lengthHistogram().values().stream().mapToLong(Long::longValue).sum());
    // percentiles from the rows themselves: the 108th of 120 sorted lengths is the 90th percentile
    lengths.sort(null);
    assertEquals(lengths.get(59), m.lengths().p50());
    assertEquals(lengths.get(107), m.lengths().p90());
    assertEquals(lengths.get(113), m.lengths().p95());
    assertEquals(lengths.get(118), m.lengths().p99());
    assertEquals(Map.of("alpha", 0, "beta", 1), ManifestJson.readLabelMap(new Configuration(),
        new org.apache.hadoop.fs.Path(out)));
    assertEquals(64, m.tokenizer().sha256().length());
    assertEquals("sentence-transformers/all-MiniLM-L6-v2", m.tokenizer().id());
    assertEquals(42, m.seed());
    String json = Files.readString(Path.of(out, "manifest.json"));
    PrepareFixture.assertContainsAll(json, "\"schema_version\" : 1", "\"input_rows\" : 120", "\"label_map\"",
        "\"rejects_by_reason\"", "\"length_histogram\"", "\"sha256\"");
    long perLabel = m.splits().values().stream().flatMap(s -> s.labels().values().stream())
        .mapToLong(Long::longValue).sum();
    assertEquals(120, perLabel);
    assertTrue(Files.isDirectory(Path.of(out, "rejects")));
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains("inprogress")), "temp dir left behind");
    }
    int tokenizers = TokenizerCache.size();
    prepareCsv(csv, tmp.resolve("again").toString(), "tokenizer.max-length=32");
    assertEquals(tokenizers, TokenizerCache.size(), "one tokenizer per JVM and (sha256, max length)");
  }

  @Test
  void duplicatesAfterCleaningAreCountedAndTheSmallestRowIdIsKept() {
    Path csv = PrepareFixture.write(tmp.resolve("dups.csv"), PrepareFixture.csvLines("id,text,label",
        "b,Hello   world,x", "a,\"Hello\nworld\",y", "c,Hello world,x", "d,\uFF28ello world,x", "e,other,x"));
    String out = tmp.resolve("dups-out").toString();
    PrepareResult result = prepareCsv(csv, out);
    assertEquals(3, result.manifest().counts().duplicates());
    assertEquals(List.of("a", "e"), List.copyOf(PrepareFixture.shardRows(spark, out).keySet()));
  }

  @Test
  void reRunsAreIdenticalAndAppendingRowsMovesNoExistingRow() throws Exception {
    Path first = PrepareFixture.write(tmp.resolve("v1/in.csv"), rows(0, 300));
    prepareCsv(first, tmp.resolve("run1").toString());
    prepareCsv(first, tmp.resolve("run2").toString());
    Map<String, String> run1 = PrepareFixture.splitOf(spark, tmp.resolve("run1").toString());
    assertEquals(run1, PrepareFixture.splitOf(spark, tmp.resolve("run2").toString()));
    assertEquals(PrepareFixture.shardRows(spark, tmp.resolve("run1").toString()).toString(),
        PrepareFixture.shardRows(spark, tmp.resolve("run2").toString()).toString());
    assertTrue(run1.containsValue("val") && run1.containsValue("test"), run1.toString());

    PrepareFixture.write(tmp.resolve("v2/in.csv"), rows(0, 300));
    PrepareFixture.write(tmp.resolve("v2/more.csv"), rows(300, 700));
    prepareCsv(tmp.resolve("v2"), tmp.resolve("run3").toString());
    Map<String, String> run3 = PrepareFixture.splitOf(spark, tmp.resolve("run3").toString());
    assertEquals(700, run3.size());
    run1.forEach((id, split) -> assertEquals(split, run3.get(id), "row " + id + " moved"));

    prepareCsv(first, tmp.resolve("seed7").toString(), "split.seed=7");
    assertFalse(run1.equals(PrepareFixture.splitOf(spark, tmp.resolve("seed7").toString())));
  }

  @Test
  void anExistingOutputIsRefusedUnlessOverwrite() throws Exception {
    Path csv = PrepareFixture.write(tmp.resolve("ow.csv"), rows(0, 30));
    String out = tmp.resolve("ow-out").toString();
    PrepareFixture.write(Path.of(out, "keep.txt"), "an earlier result");
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + csv, "input.format=csv",
        "output.path=" + out).getMessage(), "output " + out + " already exists", "--overwrite");
    assertTrue(Files.exists(Path.of(out, "keep.txt")));
    prepareCsv(csv, out, "output.overwrite=true");
    assertFalse(Files.exists(Path.of(out, "keep.txt")));
    assertEquals(30, PrepareFixture.manifest(out).counts().inputRows());
  }

  @Test
  void aFailedRunLeavesNoOutput() throws Exception {
    Path csv = PrepareFixture.write(tmp.resolve("allbad.csv"), PrepareFixture.csvLines("text,label", "a,", "b,"));
    String out = tmp.resolve("allbad-out").toString();
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + csv, "input.format=csv",
        "output.path=" + out).getMessage(), "all 2 input rows", "missing_label");
    assertFalse(Files.exists(Path.of(out)));
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains("inprogress")), "temp dir left behind");
    }
  }
}
