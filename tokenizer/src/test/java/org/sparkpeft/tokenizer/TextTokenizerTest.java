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
  void aFileThatIsNotATokenizerIsRefusedClearly() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> TextTokenizer.fromJson("bad.json", "{\"not\": \"a tokenizer\"}".getBytes(StandardCharsets.UTF_8), 128));
    assertTrue(error.getMessage().startsWith("tokenizer bad.json could not be read"), error.getMessage());
  }
}
