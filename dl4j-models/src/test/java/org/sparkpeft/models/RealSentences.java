package org.sparkpeft.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.sparkpeft.models.train.TokenBatch;
import org.sparkpeft.tokenizer.TextTokenizer;

/** Real English sentences (src/test/resources/sentences.txt) tokenized for a base, as labelled batches. */
public final class RealSentences {

  private RealSentences() {}

  public static List<String> first(int count) {
    try (InputStream in = RealSentences.class.getResourceAsStream("/sentences.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(s -> !s.isBlank()).limit(count)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sentences {@code from} .. {@code from + rows - 1}, labelled {@code i % classes}. */
  public static TokenBatch batch(BaseModel base, int from, int rows, int maxLength, int classes) {
    List<String> sentences = first(from + rows).subList(from, from + rows);
    try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.id(), base.tokenizerJson(), maxLength)) {
      int[][] ids = sentences.stream().map(s -> tokenizer.encode(s).ids()).toArray(int[][]::new);
      int[] labels = new int[rows];
      for (int i = 0; i < rows; i++) {
        labels[i] = (from + i) % classes;
      }
      return new TokenBatch(ids, labels);
    }
  }
}
