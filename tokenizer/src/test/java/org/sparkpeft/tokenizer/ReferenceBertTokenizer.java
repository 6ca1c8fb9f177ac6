package org.sparkpeft.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * An independent, plain-Java implementation of BERT's uncased tokenization as Hugging Face specifies it
 * (BertNormalizer with clean_text, handle_chinese_chars, strip_accents and lowercase; BertPreTokenizer;
 * WordPiece with "##" continuations and max 100 chars per word; [CLS] ... [SEP]; truncation), written from the
 * specification, not from the Rust code, to cross-check the DJL binding.
 */
final class ReferenceBertTokenizer {

  private final Map<String, Integer> vocab = new HashMap<>();
  private final int unk;
  private final int cls;
  private final int sep;

  ReferenceBertTokenizer(byte[] tokenizerJson) {
    JsonObject root = JsonParser.parseString(new String(tokenizerJson, StandardCharsets.UTF_8)).getAsJsonObject();
    root.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()
        .forEach(e -> vocab.put(e.getKey(), e.getValue().getAsInt()));
    unk = vocab.get("[UNK]");
    cls = vocab.get("[CLS]");
    sep = vocab.get("[SEP]");
  }

  int[] encode(String text, int maxLength) {
    List<Integer> pieces = new ArrayList<>();
    for (String word : preTokenize(normalize(text))) {
      pieces.addAll(wordPiece(word));
    }
    int keep = Math.min(pieces.size(), maxLength - 2);
    int[] ids = new int[keep + 2];
    ids[0] = cls;
    for (int i = 0; i < keep; i++) {
      ids[i + 1] = pieces.get(i);
    }
    ids[keep + 1] = sep;
    return ids;
  }

  static String normalize(String text) {
    StringBuilder clean = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (c == 0 || c == 0xFFFD || isControl(c)) {
        return;
      }
      if (isWhitespace(c)) {
        clean.append(' ');
      } else if (isChinese(c)) {
        clean.append(' ').appendCodePoint(c).append(' ');
      } else {
        clean.appendCodePoint(c);
      }
    });
    String nfd = Normalizer.normalize(clean, Normalizer.Form.NFD);
    StringBuilder stripped = new StringBuilder();
    nfd.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(stripped::appendCodePoint);
    return stripped.toString().toLowerCase(Locale.ROOT);
  }

  static List<String> preTokenize(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (isWhitespace(c)) {
        flush(words, current);
      } else if (isPunctuation(c)) {
        flush(words, current);
        words.add(new String(Character.toChars(c)));
      } else {
        current.appendCodePoint(c);
      }
    });
    flush(words, current);
    return words;
  }

  private List<Integer> wordPiece(String word) {
    int[] chars = word.codePoints().toArray();
    if (chars.length > 100) {
      return List.of(unk);
    }
    List<Integer> out = new ArrayList<>();
    int start = 0;
    while (start < chars.length) {
      int end = chars.length;
      Integer found = null;
      while (start < end) {
        String piece = (start > 0 ? "##" : "") + new String(chars, start, end - start);
        found = vocab.get(piece);
        if (found != null) {
          break;
        }
        end--;
      }
      if (found == null) {
        return List.of(unk);
      }
      out.add(found);
      start = end;
    }
    return out;
  }

  private static void flush(List<String> words, StringBuilder current) {
    if (current.length() > 0) {
      words.add(current.toString());
      current.setLength(0);
    }
  }

  /** Unicode White_Space, plus tab, newline and carriage return. */
  static boolean isWhitespace(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0xA0
        || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
  }

  /** Categories Cc, Cf, Cn, Co, Cs, except tab, newline and carriage return. */
  static boolean isControl(int c) {
    if (c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE || type == Character.SURROGATE;
  }

  static boolean isPunctuation(int c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION;
  }

  static boolean isChinese(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
  }
}
