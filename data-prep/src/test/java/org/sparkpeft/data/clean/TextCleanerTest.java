package org.sparkpeft.data.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.sparkpeft.data.config.Normalization;

class TextCleanerTest {

  @Test
  void nfkcFoldsCompatibilityFormsAndNfcOnlyComposes() {
    String text = "\uFB01ne \uFF21\uFF22 cafe\u0301";
    assertEquals("fine AB café", TextCleaner.clean(text, Normalization.NFKC, 100));
    assertEquals("\uFB01ne \uFF21\uFF22 café", TextCleaner.clean(text, Normalization.NFC, 100));
    assertEquals(text, TextCleaner.clean(text, Normalization.NONE, 100));
  }

  @Test
  void whitespaceCollapsesAndControlAndInvisibleCharactersGo() {
    assertEquals("a b c d e", TextCleaner.clean("  a\t\tb\r\n\n c\u00A0\u2028d\u0000e\u200B ", Normalization.NFKC,
        100));
    assertEquals("", TextCleaner.clean(" \n\t\u3000 ", Normalization.NFKC, 100));
  }

  @Test
  void theCapNeverSplitsASurrogatePair() {
    assertEquals("ab", TextCleaner.clean("ab\uD83D\uDE00", Normalization.NONE, 3));
    assertEquals("abcde", TextCleaner.clean("abcdefgh", Normalization.NONE, 5));
  }

  @Test
  void theHashSeesOnlyTheCleanedText() {
    String a = TextCleaner.clean("Hello   world\n", Normalization.NFKC, 100);
    String b = TextCleaner.clean(" Hello world", Normalization.NFKC, 100);
    assertEquals(TextCleaner.sha256(a), TextCleaner.sha256(b));
    assertNotEquals(TextCleaner.sha256(a), TextCleaner.sha256("hello world"));
    assertEquals(64, TextCleaner.sha256(a).length());
  }
}
