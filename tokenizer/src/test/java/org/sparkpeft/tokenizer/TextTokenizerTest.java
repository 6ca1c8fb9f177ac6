package org.sparkpeft.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TextTokenizerTest {

  @Test
  void encodesAsTheMiniLmTokenizerDoes() {
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(256)) {
      // ids as the Hugging Face tokenizer gives them for bert-base-uncased's vocabulary
      assertArrayEquals(new int[] {101, 7592, 2088, 999, 102}, tokenizer.encode("Hello world!").ids());
      assertArrayEquals(new int[] {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
          tokenizer.encode("The quick brown fox jumps over the lazy dog.").ids());
      assertArrayEquals(new int[] {101, 102}, tokenizer.encode("").ids());
      assertEquals(64, tokenizer.sha256().length());
      assertEquals(DefaultModel.ID, tokenizer.id());
    }
  }

  @Test
  void truncatesAtMaxLengthAndSaysSo() {
    try (TextTokenizer tokenizer = TextTokenizer.defaultModel(16)) {
      Encoded longText = tokenizer.encode("word ".repeat(100));
      assertEquals(16, longText.length());
      assertTrue(longText.truncated());
      assertEquals(101, longText.ids()[0]);
      assertEquals(102, longText.ids()[15]);
      Encoded shortText = tokenizer.encode("word");
      assertFalse(shortText.truncated());
      assertEquals(3, shortText.length());
    }
  }

  @Test
  void headTailKeepsTheFirstAndLastHalfOfTheContentBetweenClsAndSep() {
    String text = "the opening line of a long mail. " + "filler words here ".repeat(40)
        + "to unsubscribe reply with remove in the subject";
    int[] whole;
    try (TextTokenizer all = TextTokenizer.defaultModel(4096)) {
      whole = all.encode(text).ids();
    }
    int[] content = java.util.Arrays.copyOfRange(whole, 1, whole.length - 1);
    try (TextTokenizer headTail = TextTokenizer.fromJson("m", TextTokenizer.defaultTokenizerJson(), 17,
        Truncation.HEAD_TAIL)) {
      Encoded e = headTail.encode(text);
      assertTrue(e.truncated());
      // 15 content slots: the first 8 and the last 7 tokens
      int[] expected = new int[17];
      expected[0] = 101;
      System.arraycopy(content, 0, expected, 1, 8);
      System.arraycopy(content, content.length - 7, expected, 9, 7);
      expected[16] = 102;
      assertArrayEquals(expected, e.ids());
      assertEquals(Truncation.HEAD_TAIL, headTail.truncation());
      // a text that fits is not cut, and encodes as with head truncation
      try (TextTokenizer head = TextTokenizer.defaultModel(17)) {
        assertArrayEquals(head.encode("a short mail").ids(), headTail.encode("a short mail").ids());
      }
      assertFalse(headTail.encode("a short mail").truncated());
      assertArrayEquals(new int[] {101, 102}, headTail.encode("").ids());
    }
    try (TextTokenizer tail = TextTokenizer.fromJson("m", TextTokenizer.defaultTokenizerJson(), 6, Truncation.TAIL)) {
      int[] ids = tail.encode(text).ids();
      assertArrayEquals(new int[] {101, content[content.length - 4], content[content.length - 3],
          content[content.length - 2], content[content.length - 1], 102}, ids);
    }
    try (TextTokenizer head = TextTokenizer.defaultModel(17)) {
      assertArrayEquals(java.util.Arrays.copyOfRange(whole, 0, 16), java.util.Arrays.copyOf(head.encode(text).ids(),
          16));
    }
  }

  @Test
  void truncationNamesParseAndAWrongOneIsNamed() {
    assertEquals(Truncation.HEAD_TAIL, Truncation.parse("head-tail"));
    assertEquals(Truncation.HEAD_TAIL, Truncation.parse("HEAD_TAIL"));
    assertEquals(Truncation.TAIL, Truncation.parse(" tail "));
    assertEquals("head_tail", Truncation.HEAD_TAIL.configName());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Truncation.parse("middle"));
    assertEquals("truncation must be one of head, tail, head_tail, got 'middle'", e.getMessage());
  }

  @Test
  void aFileThatIsNotATokenizerIsRefusedClearly() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> TextTokenizer.fromJson("bad.json", "{\"not\": \"a tokenizer\"}".getBytes(StandardCharsets.UTF_8), 128));
    assertTrue(error.getMessage().startsWith("tokenizer bad.json could not be read"), error.getMessage());
  }
}
