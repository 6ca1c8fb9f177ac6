package org.sparkpeft.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Token ids of the DJL binding (Hugging Face tokenizers) equal an independent implementation of BERT's
 * tokenization on 1,200 varied strings: accents, CJK, emoji, control and format characters, exotic whitespace,
 * very long words, empty and whitespace-only input, and texts long enough to be truncated.
 */
class ReferenceEqualityTest {

  private static final String[] FRAGMENTS = {
      "Hello", "world", "the", "quick", "brown", "fox", "unbelievably", "tokenization", "PEFT", "LoRA",
      "café", "naïve", "résumé", "Ångström", "façade", "Straße", "İstanbul", "Øresund", "crème brûlée",
      "東京", "日本語のテキスト", "中文分词", "한국어", "ひらがな", "カタカナ",
      "🙂", "🚀🚀", "👍🏽", "❤️", "🇫🇷", "e\u0301", "a\u0308",
      "\u0000", "\u0007", "\u200b", "\u00ad", "\u200d", "\ufeff", "\ufffd",
      " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009", "\u2028",
      ",", ".", "!!!", "?", "(", ")", "[", "]", "\"", "'", "-", "—", "…", "«", "»", "¿", "@", "#", "$", "%", "&",
      "https://example.com/path?q=1&r=2", "user.name+tag@example.org", "3.14159", "1,000,000", "2026-11-24",
      "Ελληνικά", "русский текст", "العربية", "हिन्दी", "עברית", "ไทย",
      "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
      "a".repeat(99), "b".repeat(101), "xy".repeat(60), "don't", "can't", "O'Neil", "C++", "x86_64", "snake_case",
      "CamelCaseWord", "ALLCAPS", "MiXeD", "$100.00", "#hashtag", "@mention", "<html><b>bold</b></html>",
  };

  @Test
  void idsEqualAnIndependentImplementationOnTwelveHundredStrings() {
    byte[] json = TextTokenizer.defaultTokenizerJson();
    ReferenceBertTokenizer reference = new ReferenceBertTokenizer(json);
    List<String> texts = new ArrayList<>(List.of("", " ", "\t\n  \r\n", "\u00a0\u3000", "\u0000\u200b",
        "word ".repeat(300), String.join(" ", FRAGMENTS)));
    Random random = new Random(20261124);
    while (texts.size() < 1200) {
      StringBuilder text = new StringBuilder();
      int parts = 1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 12);
      for (int i = 0; i < parts; i++) {
        text.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
        if (random.nextInt(3) > 0) {
          text.append(' ');
        }
      }
      texts.add(text.toString());
    }
    int truncated = 0;
    List<String> mismatches = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.fromJson("minilm", json, 128)) {
      for (String text : texts) {
        Encoded encoded = tokenizer.encode(text);
        int[] expected = reference.encode(text, 128);
        if (!Arrays.equals(expected, encoded.ids())) {
          mismatches.add(escape(text) + "\n  djl " + Arrays.toString(encoded.ids()) + "\n  ref " + Arrays.toString(expected));
        }
        if (encoded.truncated()) {
          truncated++;
        }
      }
    }
    assertEquals(List.of(), mismatches.subList(0, Math.min(5, mismatches.size())),
        mismatches.size() + " of " + texts.size() + " strings differ");
    assertTrue(truncated >= 20, "the sample must exercise truncation, got " + truncated);
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> out.append(c < 32 || c > 126 ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return out.toString();
  }
}
