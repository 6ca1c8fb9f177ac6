package org.sparkpeft.data.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.tokenizer.Truncation;

class ConfigLoaderTest {

  @TempDir
  Path tmp;

  private static PrepareConfig load(File file, String... overrides) {
    return ConfigLoader.load(file, List.of(overrides), c -> {
      throw new AssertionError("the default corpus must not be fetched here");
    });
  }

  @Test
  void overridesWinOverTheFileWhichWinsOverDefaults() throws Exception {
    Path conf = tmp.resolve("job.conf");
    Files.writeString(conf, """
        input { path = "data/x.csv", format = csv, text-col = body, csv.delimiter = ";" }
        split { seed = 7 }
        output.path = out
        """);
    PrepareConfig c = load(conf.toFile(), "split.seed=9", "tokenizer.max-length=128", "tokenizer.buckets=32,64");
    assertEquals("data/x.csv", c.source().path());
    assertEquals(Format.CSV, c.source().format());
    assertEquals("body", c.source().textCol());
    assertEquals("label", c.source().labelCol());
    assertNull(c.source().idCol());
    assertEquals(";", c.source().csv().delimiter());
    assertEquals(9, c.split().seed());
    assertEquals(0.8, c.split().train());
    assertEquals(128, c.tokenize().maxLength());
    assertEquals(List.of(32, 64, 128), c.tokenize().buckets());
    assertEquals(Truncation.HEAD, c.tokenize().truncation());
    assertEquals(Truncation.HEAD_TAIL, load(conf.toFile(), "tokenizer.truncation=head_tail").tokenize().truncation());
    assertEquals(Normalization.NFKC, c.clean().normalization());
    assertFalse(c.output().overwrite());
  }

  @Test
  void defaultBucketsArePowersOfTwoUpToMaxLength() {
    PrepareConfig c = load(null, "input.path=x", "input.format=jsonl", "output.path=o");
    assertEquals(List.of(16, 32, 64, 128, 256), c.tokenize().buckets());
    assertEquals(16, c.tokenize().bucketOf(3));
    assertEquals(32, c.tokenize().bucketOf(17));
    assertEquals(256, c.tokenize().bucketOf(256));
  }

  @Test
  void labelRulesMapFolderNames() {
    PrepareConfig c = load(null, "input.path=x", "input.format=email", "output.path=o",
        "input.labels=easy-ham-*=ham,spam-?=spam");
    assertEquals("ham", c.source().labelForGroup("easy-ham-2"));
    assertEquals("spam", c.source().labelForGroup("spam-1"));
    assertEquals("spam-12", c.source().labelForGroup("spam-12"));
  }

  @Test
  void emailHeadersAreLowerCaseNamesWithoutRepeats() {
    PrepareConfig c = load(null, "input.path=x", "input.format=email", "output.path=o",
        "input.email-headers=From, TO,from,reply-to:");
    assertEquals(List.of("from", "to", "reply-to"), c.source().emailHeaders());
    assertEquals(List.of(), load(null, "input.path=x", "input.format=email", "output.path=o").source().emailHeaders());
  }

  @Test
  void withoutAnInputTheDefaultCorpusSettingsAreUsed() {
    PrepareConfig c = ConfigLoader.load(null, List.of("output.path=o", "split.seed=3"),
        current -> Map.of("input.path", "/cache/corpus", "input.format", "email", "input.file-glob", "*.txt",
            "input.labels", List.of("spam-*=spam")));
    assertEquals("/cache/corpus", c.source().path());
    assertEquals(Format.EMAIL, c.source().format());
    assertEquals("*.txt", c.source().fileGlob());
    assertEquals(3, c.split().seed());
  }

  @Test
  void theExampleConfigsInConfLoad() {
    PrepareConfig spam = load(Path.of("..", "conf", "prepare-spamassassin.conf").toFile());
    assertEquals(Format.EMAIL, spam.source().format());
    assertTrue(spam.source().path().startsWith(System.getenv("HOME")), spam.source().path());
    assertEquals("ham", spam.source().labelForGroup("hard-ham-1"));
    assertEquals(List.of("from", "to", "return-path"), spam.source().emailHeaders());
    assertEquals(List.of(32, 64, 128, 256), spam.tokenize().buckets());
    PrepareConfig csv = load(Path.of("..", "conf", "prepare-csv-example.conf").toFile(), "input.path=/x.csv");
    assertEquals("/x.csv", csv.source().path());
    assertEquals("description", csv.source().textCol());
    assertEquals("queue", csv.source().labelCol());
    assertEquals("ticket_id", csv.source().idCol());
    assertEquals(128, csv.tokenize().maxLength());
    assertEquals(1000, csv.source().csv().maxQuotedLines());
    assertEquals(CsvOptions.DEFAULT_MAX_QUOTED_LINES, load(null, "input.path=x", "input.format=csv",
        "output.path=o").source().csv().maxQuotedLines());
    assertEquals(40, load(null, "input.path=x", "input.format=csv", "output.path=o",
        "input.csv.max-quoted-lines=40").source().csv().maxQuotedLines());
  }

  @Test
  void csvCharactersMayBeEscapesAsSparkTakesThem() {
    PrepareConfig tabs = load(null, "input.path=x", "input.format=csv", "output.path=o", "input.csv.delimiter=\\t");
    assertEquals("\t", tabs.source().csv().delimiter());
    PrepareConfig hive = load(null, "input.path=x", "input.format=csv", "output.path=o",
        "input.csv.delimiter=\\u0001", "input.csv.escape=\\\\");
    assertEquals("\u0001", hive.source().csv().delimiter());
    assertEquals("\\", hive.source().csv().escape());
    assertEquals(";", load(null, "input.path=x", "input.format=csv", "output.path=o", "input.csv.delimiter=;")
        .source().csv().delimiter());
  }

  @Test
  void mistakesAreOneSentenceNamingTheKey() {
    assertMessage("unknown config key inptu.path", () -> load(null, "inptu.path=x", "output.path=o"));
    assertMessage("input.format (--format) must be one of csv, jsonl, parquet, textdir, email, records, got 'xml'",
        () -> load(null, "input.path=x", "input.format=xml", "output.path=o"));
    assertMessage("input.record-separator must name the line that separates records",
        () -> load(null, "input.path=x", "input.format=records", "input.record-separator=", "output.path=o"));
    assertMessage("input.format (--format) is required", () -> load(null, "input.path=x", "output.path=o"));
    assertMessage("got 'tsv' (a TSV is csv with input.csv.delimiter=\\t).", () -> load(null, "input.path=x",
        "input.format=tsv", "output.path=o"));
    assertMessage("output.path (--output) is required", () -> load(null, "input.path=x", "input.format=csv"));
    assertMessage("must add up to 1", () -> load(null, "input.path=x", "input.format=csv", "output.path=o",
        "split.train=0.9"));
    assertMessage("tokenizer.truncation must be one of head, tail, head_tail, got 'both'", () -> load(null,
        "input.path=x", "input.format=csv", "output.path=o", "tokenizer.truncation=both"));
    assertMessage("tokenizer.buckets must be ascending", () -> load(null, "input.path=x", "input.format=csv",
        "output.path=o", "tokenizer.buckets=64,32"));
    assertMessage("input.csv.delimiter must be exactly one character", () -> load(null, "input.path=x",
        "input.format=csv", "output.path=o", "input.csv.delimiter=ab"));
    assertMessage("input.csv.delimiter must be exactly one character (a tab as", () -> load(null, "input.path=x",
        "input.format=csv", "output.path=o", "input.csv.delimiter=\t "));  // a bare tab, trimmed away
    assertMessage("input.csv.quote must be exactly one character", () -> load(null, "input.path=x",
        "input.format=csv", "output.path=o", "input.csv.quote=\\uZZZZ"));
    assertMessage("input.csv.max-quoted-lines must be positive, got 0", () -> load(null, "input.path=x",
        "input.format=csv", "output.path=o", "input.csv.max-quoted-lines=0"));
    assertMessage("config file " + tmp.resolve("nope.conf") + " does not exist",
        () -> load(tmp.resolve("nope.conf").toFile()));
    assertMessage("override 'seed' must look like key=value", () -> load(null, "seed"));
    assertMessage("input.email-headers applies to input.format email, not csv", () -> load(null, "input.path=x",
        "input.format=csv", "output.path=o", "input.email-headers=from"));
    assertMessage("input.email-headers: the Subject is always part of an email's text", () -> load(null,
        "input.path=x", "input.format=email", "output.path=o", "input.email-headers=from,subject"));
    assertMessage("input.email-headers: 'x y' is not a header name", () -> load(null, "input.path=x",
        "input.format=email", "output.path=o", "input.email-headers=x y"));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable action) {
    UserError e = assertThrows(UserError.class, action);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }
}
