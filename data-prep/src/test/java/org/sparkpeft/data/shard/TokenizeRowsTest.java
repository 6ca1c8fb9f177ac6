package org.sparkpeft.data.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.sparkpeft.data.clean.TextCleaner;
import org.sparkpeft.data.config.Normalization;
import org.sparkpeft.data.email.EmailText;
import org.sparkpeft.data.source.SpamAssassinCorpus;
import org.sparkpeft.tokenizer.Encoded;
import org.sparkpeft.tokenizer.TextTokenizer;
import org.sparkpeft.tokenizer.Truncation;

class TokenizeRowsTest {

  private static void assertSameAsWholeText(TextTokenizer tokenizer, String text) {
    Encoded whole = tokenizer.encode(text);
    Encoded fast = TokenizeRows.encode(tokenizer, text);
    assertArrayEquals(whole.ids(), fast.ids(), text.length() + " chars");
    assertEquals(whole.truncated(), fast.truncated());
  }

  @Test
  void encodingAPrefixOfLongTextsGivesTheWholeTextsIds() {
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(32)) {
      assertSameAsWholeText(tokenizer, "word ".repeat(500));
      assertSameAsWholeText(tokenizer, "x".repeat(2000) + " and a tail");       // one huge word: [UNK]
      assertSameAsWholeText(tokenizer, "a".repeat(300) + " " + "b ".repeat(10)); // the prefix is not truncated
      assertSameAsWholeText(tokenizer, "naïve café, straße! ".repeat(100));
    }
  }

  @Test
  void headTailTruncationEncodesTheWholeText() {
    try (TextTokenizer tokenizer = TextTokenizer.fromJson("m", TextTokenizer.defaultTokenizerJson(), 32,
        Truncation.HEAD_TAIL)) {
      String text = "first words " + "word ".repeat(2000) + "the very end";
      assertSameAsWholeText(tokenizer, text);
      int[] ids = TokenizeRows.encode(tokenizer, text).ids();
      int[] end = tokenizer.encode("the very end").ids(); // [CLS] the very end [SEP]
      assertEquals(32, ids.length);
      assertArrayEquals(end, new int[] {ids[0], ids[28], ids[29], ids[30], ids[31]});
      assertEquals(tokenizer.encode("first words").ids()[1], ids[1]);
    }
  }

  @Test
  void everyEmailOfTheCorpusTokenizesAsItsWholeText() throws Exception {
    Path data = SpamAssassinCorpus.ensure(SpamAssassinCorpus.defaultCacheDir());
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(data)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".txt")).toList()) {
        texts.add(TextCleaner.clean(EmailText.extract(Files.readAllBytes(file), 20_000), Normalization.NFKC, 20_000));
      }
    }
    assertEquals(SpamAssassinCorpus.EMAILS, texts.size());
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(256)) {
      texts.forEach(text -> assertSameAsWholeText(tokenizer, text));
    }
  }
}
