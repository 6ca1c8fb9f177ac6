package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareFixture;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.CsvOptions;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * Issue 19: CSV records the reader merges must not vanish. The records of every CSV file are counted without
 * Spark's parser and the job stops, naming the file and line, when a quote swallows the records after it.
 */
class CsvRecordCheckTest {

  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("csv-record-check");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A header and 16 records, record {@code broken} (1-based) with a quote that is never closed. */
  static String sixteenRecords(int broken) {
    StringBuilder csv = new StringBuilder("id,text,label\n");
    for (int i = 1; i <= 16; i++) {
      csv.append(i).append(',').append(i == broken ? "\"the quote of record " + i + " is never closed"
          : "text of record " + i).append(',').append(i % 2 == 0 ? "even" : "odd").append('\n');
    }
    return csv.toString();
  }

  @Test
  void anUnclosedQuoteOnRecord13StopsTheJobNamingTheFileAndLine() {
    Path csv = PrepareFixture.write(tmp.resolve("issue 19.csv"), sixteenRecords(13));
    String out = tmp.resolve("out").toString();
    UserError e = PrepareFixture.fails(spark, "input.path=" + csv, "input.format=csv", "input.id-col=id",
        "output.path=" + out);
    // record 13 is on line 14 (below the header); records 14-16 are lines 15-17
    PrepareFixture.assertContainsAll(e.getMessage(), "issue 19.csv", "quote opened on line 14",
        "never closed", "lines 14 to 17");
    assertFalse(Files.exists(Path.of(out)), "nothing is written");
  }

  @Test
  void theSameFileWithTheQuoteClosedIsFullyAccountedFor() {
    Path csv = PrepareFixture.write(tmp.resolve("fixed.csv"), sixteenRecords(0));
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + csv, "input.format=csv",
        "input.id-col=id", "output.path=" + tmp.resolve("fixed-out"));
    Manifest.Counts c = result.manifest().counts();
    assertEquals(16, c.inputRecords());
    assertEquals(16, c.inputRows());
    assertEquals(16, c.shardRows());
    assertTrue(c.balanced());
  }

  @Test
  void aStrayQuoteThatPairsWithALaterOneIsStoppedByTheLineLimit() {
    // the stray quote on record 3 closes at the quote opening record 9's text: both parsers see one record
    // spanning lines 4-10, so only the limit on quoted lines can tell
    StringBuilder text = new StringBuilder("id,text,label\n");
    for (int i = 1; i <= 12; i++) {
      text.append(i).append(',').append(i == 3 ? "\"stray" : i == 9 ? "\"quoted\"\" text\"" : "plain " + i)
          .append(",x\n");
    }
    Path csv = PrepareFixture.write(tmp.resolve("stray.csv"), text.toString());
    UserError e = PrepareFixture.fails(spark, "input.path=" + csv, "input.format=csv",
        "input.csv.max-quoted-lines=5", "output.path=" + tmp.resolve("stray-out"));
    PrepareFixture.assertContainsAll(e.getMessage(), "stray.csv", "opened on line 4", "over 5 lines",
        "input.csv.max-quoted-lines");
  }

  @Test
  void legitimateMultiLineTextsInSeveralFilesCompressedOrNotAreCountedExactly() throws IOException {
    Path dir = tmp.resolve("many");
    PrepareFixture.write(dir.resolve("a.csv"), "text,label\n\"first\nof a\n\nfour-line text\",x\nsecond,y\n\n"
        + "\"with \"\"quotes\"\",\nand a comma\",x\nlast without a line end,y");
    PrepareFixture.write(dir.resolve("b.csv"), "\uFEFFtext,label\r\n\"crlf\r\ntext\",x\r\n\r\nplain,y\r\n");
    PrepareFixture.write(dir.resolve("c.csv.gz"), gzip("text,label\n\"gzip\nmulti-line\",x\ngz two,y\n"));
    PrepareFixture.write(dir.resolve("empty.csv"), "");
    PrepareFixture.write(dir.resolve("header-only.csv"), "text,label\n");
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + dir, "input.format=csv",
        "output.path=" + tmp.resolve("many-out"));
    Manifest.Counts c = result.manifest().counts();
    assertEquals(8, c.inputRecords());
    assertEquals(8, c.inputRows());
    assertEquals(8, c.shardRows());
  }

  @Test
  void anUnclosedQuoteInAGzipFileIsFoundToo() throws IOException {
    Path dir = tmp.resolve("gz");
    PrepareFixture.write(dir.resolve("ok.csv"), "text,label\nfine,x\n");
    PrepareFixture.write(dir.resolve("broken.csv.gz"), gzip(sixteenRecords(13)));
    UserError e = PrepareFixture.fails(spark, "input.path=" + dir, "input.format=csv",
        "input.text-col=text", "output.path=" + tmp.resolve("gz-out"));
    PrepareFixture.assertContainsAll(e.getMessage(), "broken.csv.gz", "line 14");
  }

  @Test
  void rowsThatDifferFromTheCountAreOneSentenceNamingTheFileAndTheLongestQuotedField() {
    CsvRecordCounter.Result r = CsvRecordCounter.count("text,label\na,b\n\"c\nd\ne\",f\ng,h\n", CsvOptions.RFC_4180,
        1000);
    CsvRecordCheck check = new CsvRecordCheck(Map.of("file:/data/in%20put.csv", r));
    assertEquals(3, check.verify(Map.of("file:/data/in%20put.csv", 3L)));
    UserError e = assertThrows(UserError.class,
        () -> check.verify(Map.of("file:/data/in%20put.csv", 2L)));
    PrepareFixture.assertContainsAll(e.getMessage(), "file:/data/in put.csv", "holds 3 records",
        "returned 2 rows", "near line 3");
    assertEquals(1, e.getMessage().lines().count());
    e = assertThrows(UserError.class, () -> check.verify(Map.of("file:/data/in%20put.csv", 3L,
        "file:/data/other.csv", 1L)));
    PrepareFixture.assertContainsAll(e.getMessage(), "file:/data/other.csv", "holds 0 records", "returned 1 rows");
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }
}
