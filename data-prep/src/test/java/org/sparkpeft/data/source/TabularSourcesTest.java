package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareFixture;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.tokenizer.TextTokenizer;

/** CSV, JSONL and Parquet inputs and their bad rows, on local[2], from small files written here. */
class TabularSourcesTest {

  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("tabular-sources");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private String out(String name) {
    return tmp.resolve("out-" + name).toString();
  }

  @Test
  void csvWithMultiLineQuotedTextsAndSeveralClassesNeedsOnlyPathAndColumns() {
    Path csv = PrepareFixture.write(tmp.resolve("reviews.csv"), PrepareFixture.csvLines(
        "review_id,body,stars,extra",
        "r1,\"Great phone, \"\"really\"\" great.\nSecond line of the review,\nthird line.\",five,x",
        "r2,Terrible battery,one,y",
        "r3,\"Okay, I guess\",three,z",
        "r4,\"Multi\n\nparagraph\",five,",
        "r5,Meh,three,w"));
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + csv, "input.format=csv",
        "input.text-col=body", "input.label-col=stars", "input.id-col=review_id", "output.path=" + out("csv"));
    Manifest m = result.manifest();
    assertEquals(5, m.counts().inputRecords());
    assertEquals(5, m.counts().inputRows());
    assertEquals(5, m.counts().shardRows());
    assertEquals(Map.of("five", 0, "one", 1, "three", 2), m.labelMap());
    Map<String, Row> rows = PrepareFixture.shardRows(spark, out("csv"));
    assertEquals(List.of("r1", "r2", "r3", "r4", "r5"), List.copyOf(rows.keySet()));
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(256)) {
      int[] expected = tokenizer.encode("Great phone, \"really\" great. Second line of the review, third line.").ids();
      Row r1 = rows.get("r1");
      assertArrayEquals(expected, r1.getList(r1.fieldIndex("input_ids")).stream().mapToInt(i -> (Integer) i).toArray());
      assertEquals(expected.length, (int) r1.getAs("length"));
      assertEquals(32, (int) r1.getAs("bucket"));
      assertEquals(0, (int) r1.getAs("label"));
    }
  }

  @Test
  void csvFieldSyntaxIsConfigurable() {
    Path csv = PrepareFixture.write(tmp.resolve("semi.csv"), PrepareFixture.csvLines(
        "text;label", "'it\\'s; fine';a", "'line one", "line two';b"));
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + csv, "input.format=csv",
        "input.csv.delimiter=;", "input.csv.quote='", "input.csv.escape=\\", "output.path=" + out("semi"));
    assertEquals(2, result.manifest().counts().shardRows());
    assertEquals(Map.of("a", 0, "b", 1), result.manifest().labelMap());
  }

  @Test
  void aCsvSavedByASpreadsheetWithByteOrderMarkAndCrlfLineEnds() {
    Path csv = PrepareFixture.write(tmp.resolve("excel.csv"),
        "\uFEFFtext,label\r\n\"first\r\nrow\",pos\r\nsecond row,neg\r\n");
    String out = out("excel");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + csv, "input.format=csv",
        "output.path=" + out);
    assertEquals(Map.of("neg", 0, "pos", 1), result.manifest().labelMap());
    assertEquals(2, result.manifest().counts().shardRows());
  }

  @Test
  void malformedCsvLinesAndMissingOrBlankLabelsAreRejectedWithReasons() {
    Path csv = PrepareFixture.write(tmp.resolve("bad.csv"), PrepareFixture.csvLines(
        "id,text,label", "1,good row,x", "2,too,many,fields,here", "3,no label,", "4,blank label,\"  \"",
        "5,another good row,y", "6,\"   \",x"));
    String out = out("bad");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + csv, "input.format=csv", "input.id-col=id",
        "output.path=" + out);
    assertEquals(6, result.manifest().counts().inputRows());
    assertEquals(2, result.manifest().counts().shardRows());
    assertEquals(Map.of("2", "malformed_record", "3", "missing_label", "4", "missing_label", "6", "empty_text"),
        PrepareFixture.rejects(spark, out));
    assertEquals(Map.of("empty_text", 1L, "malformed_record", 1L, "missing_label", 2L),
        result.manifest().counts().rejectsByReason());
    Row malformed = spark.read().json(out + "/rejects").where("reason = 'malformed_record'").first();
    assertTrue(((String) malformed.getAs("text")).contains("too,many,fields"), malformed.toString());
    assertTrue(((String) malformed.getAs("origin")).endsWith("bad.csv"), malformed.toString());
  }

  @Test
  void invalidUtf8InACsvIsRejected() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("text,label\nfine text,a\n".getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {'c', 'a', 'f', (byte) 0xE9, ',', 'b', '\n'}); // Latin-1 é: not UTF-8
    Path csv = PrepareFixture.write(tmp.resolve("latin1.csv"), bytes.toByteArray());
    String out = out("latin1");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + csv, "input.format=csv",
        "output.path=" + out);
    assertEquals(Map.of("invalid_utf8", 1L), result.manifest().counts().rejectsByReason());
    assertEquals(1, result.manifest().counts().shardRows());
  }

  @Test
  void aTenMegabyteTextAndInvalidUtf8InJsonlAreRejected() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("{\"id\": \"ok\", \"text\": \"fine\", \"label\": \"a\"}\n".getBytes(StandardCharsets.UTF_8));
    bytes.write(("{\"id\": \"big\", \"text\": \"" + "x".repeat(10 * 1024 * 1024) + "\", \"label\": \"a\"}\n")
        .getBytes(StandardCharsets.UTF_8));
    bytes.write("{\"id\": \"latin1\", \"text\": \"caf".getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {(byte) 0xE9});
    bytes.write("\", \"label\": \"b\"}\n".getBytes(StandardCharsets.UTF_8));
    Path jsonl = PrepareFixture.write(tmp.resolve("big.jsonl"), bytes.toByteArray());
    String out = out("big");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + jsonl, "input.format=jsonl",
        "input.id-col=id", "output.path=" + out);
    Map<String, String> rejects = PrepareFixture.rejects(spark, out);
    assertEquals("too_large", rejects.get("big"));
    // the JSON reader cannot parse the line, so it has no id column: the id is file name + content hash
    assertEquals(Map.of("invalid_utf8", 1L, "too_large", 1L), result.manifest().counts().rejectsByReason());
    assertTrue(rejects.entrySet().stream().anyMatch(e -> e.getKey().startsWith("big.jsonl:")
        && e.getValue().equals("invalid_utf8")), rejects.toString());
    assertEquals(1, result.manifest().counts().shardRows());
    String stored = spark.read().json(out + "/rejects").where("row_id = 'big'").first().getAs("text");
    assertEquals(10_000, stored.length(), "rejects keep a prefix of huge texts");
  }

  @Test
  void aWrongColumnNameIsOneSentenceNamingTheFileAndColumn() {
    Path csv = PrepareFixture.write(tmp.resolve("cols.csv"), PrepareFixture.csvLines("body,label", "x,y"));
    UserError e = PrepareFixture.fails(spark, "input.path=" + csv, "input.format=csv",
        "input.text-col=text", "output.path=" + out("cols"));
    PrepareFixture.assertContainsAll(e.getMessage(), "cols.csv", "no text column 'text'", "body, label");
    Path jsonl = PrepareFixture.write(tmp.resolve("cols.jsonl"), "{\"text\":\"x\",\"label\":\"y\"}\n");
    e = PrepareFixture.fails(spark, "input.path=" + jsonl, "input.format=jsonl", "input.label-col=class",
        "output.path=" + out("cols2"));
    PrepareFixture.assertContainsAll(e.getMessage(), "cols.jsonl", "no label column 'class'");
  }

  @Test
  void emptyOrMissingInputIsOneClearSentence() {
    Path empty = PrepareFixture.write(tmp.resolve("empty.csv"), "");
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + empty, "input.format=csv",
        "output.path=" + out("e1")).getMessage(), "empty.csv", "is empty");
    Path headerOnly = PrepareFixture.write(tmp.resolve("header.csv"), "text,label\n");
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + headerOnly, "input.format=csv",
        "output.path=" + out("e2")).getMessage(), "header.csv", "has no rows");
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + tmp.resolve("nothing.csv"),
        "input.format=csv", "output.path=" + out("e3")).getMessage(), "nothing.csv", "does not exist");
    Path notParquet = PrepareFixture.write(tmp.resolve("table.parquet"), "text,label\nx,y\n");
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + notParquet, "input.format=parquet",
        "output.path=" + out("e4")).getMessage(), "table.parquet", "cannot be read as parquet");
  }

  @Test
  void jsonlWithABrokenLineAndANumericLabel() {
    Path jsonl = PrepareFixture.write(tmp.resolve("data.jsonl"), String.join("\n",
        "{\"id\": 1, \"text\": \"first document\", \"label\": 1}",
        "{\"id\": 2, \"text\": \"second \\\"quoted\\\" document\\nwith a newline\", \"label\": 0}",
        "{\"id\": 3, \"text\": \"broken",
        "{\"id\": 4, \"label\": 1}",
        "{\"id\": 5, \"text\": \"fifth\", \"label\": null}") + "\n");
    String out = out("jsonl");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + jsonl, "input.format=jsonl",
        "input.id-col=id", "output.path=" + out);
    assertEquals(5, result.manifest().counts().inputRows());
    assertEquals(Map.of("0", 0, "1", 1), result.manifest().labelMap());
    Map<String, String> rejects = PrepareFixture.rejects(spark, out);
    assertEquals("missing_text", rejects.get("4"));
    assertEquals("missing_label", rejects.get("5"));
    assertEquals(1, rejects.values().stream().filter("malformed_record"::equals).count(), rejects.toString());
  }

  @Test
  void parquetWithNamedColumns() {
    StructType schema = new StructType().add("uid", DataTypes.LongType).add("doc", DataTypes.StringType)
        .add("category", DataTypes.StringType);
    spark.createDataFrame(List.of(RowFactory.create(10L, "sports news today", "sport"),
            RowFactory.create(11L, "parliament votes", "politics"), RowFactory.create(12L, "match report", "sport")),
        schema).write().parquet(tmp.resolve("in.parquet").toString());
    String out = out("parquet");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + tmp.resolve("in.parquet"),
        "input.format=parquet", "input.text-col=doc", "input.label-col=category", "input.id-col=uid",
        "output.path=" + out);
    assertEquals(3, result.manifest().counts().shardRows());
    assertEquals(Map.of("politics", 0, "sport", 1), result.manifest().labelMap());
    assertEquals(List.of("10", "11", "12"), List.copyOf(PrepareFixture.shardRows(spark, out).keySet()));
  }
}
