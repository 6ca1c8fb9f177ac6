package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareFixture;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.tokenizer.TextTokenizer;

/** Text folders and raw emails, and their bad files, on local[2]. */
class FileSourcesTest {

  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("file-sources");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void textFoldersAreLabelledByFolderAndBadFilesAreRejected() {
    Path in = tmp.resolve("reviews");
    PrepareFixture.write(in.resolve("pos/a.txt"), "Loved it.\nWould buy again.");
    PrepareFixture.write(in.resolve("pos/nested/b.txt"), "Wonderful");
    PrepareFixture.write(in.resolve("neg/c.txt"), "Broke after a day");
    PrepareFixture.write(in.resolve("neg/latin1.txt"), "caf\u00e9 awful".getBytes(StandardCharsets.ISO_8859_1));
    PrepareFixture.write(in.resolve("neg/blank.txt"), " \n\t ");
    PrepareFixture.write(in.resolve("loose.txt"), "a file outside any label folder");
    byte[] huge = new byte[10 * 1024 * 1024];
    Arrays.fill(huge, (byte) 'a');
    PrepareFixture.write(in.resolve("pos/huge.txt"), huge);
    String out = tmp.resolve("out").toString();
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + in, "input.format=textdir",
        "output.path=" + out);
    assertEquals(7, result.manifest().counts().inputRows());
    assertEquals(Map.of("neg", 0, "nested", 1, "pos", 2), result.manifest().labelMap());
    assertEquals(Map.of("loose.txt", "missing_label", "neg/blank.txt", "empty_text",
        "neg/latin1.txt", "invalid_utf8", "pos/huge.txt", "too_large"), PrepareFixture.rejects(spark, out));
    Map<String, Row> rows = PrepareFixture.shardRows(spark, out);
    assertEquals(java.util.List.of("neg/c.txt", "pos/a.txt", "pos/nested/b.txt"), java.util.List.copyOf(rows.keySet()));
    assertTrue(result.manifest().counts().inputBytes() > huge.length);
  }

  @Test
  void rawEmailsAreParsedAndGroupsMappedToLabels() throws Exception {
    Path in = tmp.resolve("mail");
    PrepareFixture.write(in.resolve("spam-1/0001.txt"), "From spammer@x  Mon Sep 23 2002\n"
        + "Subject: =?utf-8?Q?Win_=E2=82=AC1000?=\nContent-Type: text/html\n\n<p>Click <b>here</b></p>\n");
    PrepareFixture.write(in.resolve("spam-2/0002.txt"), "Subject: cheap\nContent-Type: multipart/alternative; "
        + "boundary=zz\n\n--zz\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: "
        + "quoted-printable\n\nG=FCnstig kaufen\n--zz--\n");
    byte[] latin = "Subject: lunch\nContent-Type: text/plain; charset=windows-1252\n\nS\u00e9e you \u2013 ok"
        .getBytes(Charset.forName("windows-1252"));
    PrepareFixture.write(in.resolve("easy-ham-1/0003.txt"), latin);
    PrepareFixture.write(in.resolve("hard-ham-1/0004.txt"), "Subject: report\n\nQuarterly numbers attached.\n");
    PrepareFixture.write(in.resolve("hard-ham-1/0004.json"), "{\"not\": \"an email\"}");
    PrepareFixture.write(in.resolve("easy-ham-1/0005.txt"), "Subject:\nContent-Type: image/gif\n\nR0lGODlh\n");
    String out = tmp.resolve("out").toString();
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + in, "input.format=email",
        "input.file-glob=*.txt", "input.labels=easy-ham-*=ham,hard-ham-*=ham,spam-*=spam", "output.path=" + out);
    assertEquals(5, result.manifest().counts().inputRows());
    assertEquals(Map.of("ham", 0, "spam", 1), result.manifest().labelMap());
    assertEquals(Map.of("easy-ham-1/0005.txt", "empty_text"), PrepareFixture.rejects(spark, out));
    Map<String, Row> rows = PrepareFixture.shardRows(spark, out);
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(256)) {
      assertEquals(tokens(tokenizer, "Win €1000 Click here"), tokens(rows.get("spam-1/0001.txt")));
      assertEquals(tokens(tokenizer, "cheap Günstig kaufen"), tokens(rows.get("spam-2/0002.txt")));
      assertEquals(tokens(tokenizer, "lunch Sée you – ok"), tokens(rows.get("easy-ham-1/0003.txt")));
    }
    assertEquals(1, (int) rows.get("spam-2/0002.txt").getAs("label"));
    assertEquals(0, (int) rows.get("hard-ham-1/0004.txt").getAs("label"));
  }

  @Test
  void shownHeadersPrecedeTheTextAndDuplicatesAreFoundOnTheContent() throws Exception {
    Path in = tmp.resolve("headers");
    String offer = "Subject: offer\n\nBuy now.\n";
    PrepareFixture.write(in.resolve("spam-1/0001.txt"), "From: a@x.com\nTo: bob@y.org\nX-Mailer: m\n" + offer);
    PrepareFixture.write(in.resolve("spam-1/0002.txt"), "From: a@x.com\nTo: carol@z.org\n" + offer);
    PrepareFixture.write(in.resolve("ham-1/0003.txt"), "To: team@y.org\nSubject: notes\n\nAgenda below.\n");
    PrepareFixture.write(in.resolve("ham-1/0004.txt"), "From: c@y.org\nSubject:\n\n\n");
    String out = tmp.resolve("out-headers").toString();
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + in, "input.format=email",
        "input.labels=ham-*=ham,spam-*=spam", "input.email-headers=from,to", "output.path=" + out);
    assertEquals(1, result.manifest().counts().duplicates()); // 0002 is 0001 sent to another address
    assertEquals(java.util.List.of("from", "to"), result.manifest().source().emailHeaders());
    assertEquals(Map.of("ham-1/0004.txt", "empty_text"), PrepareFixture.rejects(spark, out)); // headers alone: no text
    Map<String, Row> rows = PrepareFixture.shardRows(spark, out);
    assertEquals(java.util.Set.of("spam-1/0001.txt", "ham-1/0003.txt"), rows.keySet());
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(256)) {
      assertEquals(tokens(tokenizer, "from: a@x.com to: bob@y.org offer Buy now."),
          tokens(rows.get("spam-1/0001.txt")));
      assertEquals(tokens(tokenizer, "to: team@y.org notes Agenda below."), tokens(rows.get("ham-1/0003.txt")));
    }
  }

  private static String tokens(TextTokenizer tokenizer, String text) {
    return Arrays.toString(tokenizer.encode(text).ids());
  }

  private static String tokens(Row row) {
    return row.getList(row.fieldIndex("input_ids")).toString();
  }

  @Test
  void recordFilesBecomeOneRowPerRecordLabelledByFileName() {
    Path in = tmp.resolve("fortunes");
    PrepareFixture.write(in.resolve("computers"), "Real programmers\ncount from zero.\n\t\t-- anon\n%\n"
        + "The computer is down.\n%\n");
    PrepareFixture.write(in.resolve("law"), "%\nA lawyer's opinion\n%\n \n%\nAn appeal is when you ask.\n%\n");
    PrepareFixture.write(in.resolve("law.dat"), new byte[] {0, 1, 2, (byte) 0xff});
    PrepareFixture.write(in.resolve("off/latin"), "caf\u00e9\n%\n".getBytes(StandardCharsets.ISO_8859_1));
    PrepareFixture.write(in.resolve("kids"), "not selected by the glob\n%\n");
    String out = tmp.resolve("out-records").toString();
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + in, "input.format=records",
        "input.file-glob={computers,law,latin}", "input.labels=latin=law", "output.path=" + out);
    assertEquals(5, result.manifest().counts().inputRows());
    assertEquals(Map.of("computers", 0, "law", 1), result.manifest().labelMap());
    assertEquals(Map.of("off/latin", "invalid_utf8"), PrepareFixture.rejects(spark, out));
    Map<String, Row> rows = PrepareFixture.shardRows(spark, out);
    assertEquals(java.util.Set.of("computers:1", "computers:5", "law:2", "law:6"), rows.keySet());
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(256)) {
      assertEquals(tokens(tokenizer, "Real programmers count from zero. -- anon"), tokens(rows.get("computers:1")));
      assertEquals(tokens(tokenizer, "An appeal is when you ask."), tokens(rows.get("law:6")));
    }
    assertEquals(1, (int) rows.get("law:2").getAs("label"));
    assertEquals(0, (int) rows.get("computers:5").getAs("label"));
  }

  @Test
  void aFileGlobSelectsTheJsonFilesOfAFolder() {
    Path in = tmp.resolve("speeches");
    PrepareFixture.write(in.resolve("1801_a_dr.json"), "{\"party\": \"DR\", \"text\": \"Fellow citizens\"}\n");
    PrepareFixture.write(in.resolve("1990_b_r.json"), "{\"party\": \"R\", \"text\": \"Tonight\"}\n");
    PrepareFixture.write(in.resolve("1850_c_w.json"), "{\"party\": \"W\", \"text\": \"Whig times\"}\n");
    PrepareFixture.write(in.resolve("1850_c_wd.json"), "{\"party\": \"WD\", \"text\": \"Both\"}\n");
    String out = tmp.resolve("out-glob").toString();
    PrepareResult result = PrepareFixture.prepare(spark, "input.path=" + in, "input.format=jsonl",
        "input.text-col=text", "input.label-col=party", "input.file-glob=*_{d,r,dr}.json", "output.path=" + out);
    assertEquals(2, result.manifest().counts().inputRows());
    assertEquals(Map.of("DR", 0, "R", 1), result.manifest().labelMap());
  }

  @Test
  void anEmptyFolderIsOneClearSentence() {
    Path empty = tmp.resolve("empty/nothing-here");
    PrepareFixture.write(empty.resolve("ignored.json"), "{}");
    PrepareFixture.assertContainsAll(PrepareFixture.fails(spark, "input.path=" + empty.getParent(),
        "input.format=email", "input.file-glob=*.txt", "output.path=" + tmp.resolve("o")).getMessage(),
        "has no rows");
  }
}
