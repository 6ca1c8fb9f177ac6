package org.sparkpeft.job.embed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A 1,000-line JSONL of varied real-language texts with ids, for embed tests. */
final class EmbedInputs {

  static final List<String> SENTENCES = List.of(
      "The quick brown fox jumps over the lazy dog.",
      "URGENT: your account has been suspended, click here to verify your password now!",
      "Meeting moved to 3pm tomorrow; see the agenda attached.",
      "Café, naïve, résumé: accents are normalised by the uncased tokenizer.",
      "東京は日本の首都です。",
      "Spark distributes the fine-tuning of transformer adapters across executors.",
      "Free money!!! Act now!!! This is not a scam!!!",
      "Could you please send me the invoice for last month's order?",
      "Low-rank adaptation adds a product of two small matrices to a frozen weight matrix, so only a fraction "
          + "of a percent of the parameters is trained while the base model stays exactly as it was.",
      "ok");

  static String text(int i) {
    return SENTENCES.get(i % SENTENCES.size()) + (i % 3 == 0 ? "" : " (message " + i + ")");
  }

  static Path write(Path file, int rows) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      String escaped = text(i).replace("\\", "\\\\").replace("\"", "\\\"");
      lines.add("{\"id\": \"doc-" + i + "\", \"text\": \"" + escaped + "\", \"extra\": " + i + "}");
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  private EmbedInputs() {}
}
