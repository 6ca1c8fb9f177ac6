package org.sparkpeft.data.source;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.sparkpeft.data.UserError;

/**
 * WordNet's noun glosses as a labelled text corpus, the quality benchmark's {@code wordnet}: the text is a synset's
 * gloss (its definition and any quoted examples, without the synset's words), the label the lexicographer file the
 * synset belongs to (its semantic category: noun.animal, noun.food, ...). Read from Debian's {@code wordnet-base}
 * ({@code usr/share/wordnet/data.noun}, WordNet 3.0) and written as JSON lines {@code {"id", "text", "label"}} for
 * {@code conf/prepare-wordnet.conf}.
 *
 * <p>The shape of the issue that asked for data-driven defaults (an 8-class set of about 3,200 texts with unbalanced
 * classes), fixed before any model saw it: eight categories of everyday subjects, from 11,587 synsets (artifact) to
 * 428 (feeling), and about 6 % of their synsets, picked by a hash of the synset's offset (no random state: the same
 * rows on every machine). Nothing about it was chosen on a model's or the baseline's scores.
 */
public final class WordNetGlosses {

  /** The lexicographer files read, by their number in WordNet's {@code lexnames}, and the label each becomes. */
  public static final Map<Integer, String> CATEGORIES = new TreeMap<>(Map.of(4, "act", 5, "animal", 6, "artifact",
      10, "communication", 12, "feeling", 13, "food", 18, "person", 20, "plant"));

  /** Synsets kept per thousand (by {@link #sampled}). */
  public static final int PER_MILLE = 60;

  /** The data file below the package's root. */
  public static final String DATA_NOUN = "usr/share/wordnet/data.noun";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WordNetGlosses() {}

  /** Whether the synset at byte offset {@code offset} is in the sample: SplitMix64's finaliser, mod 1000. */
  static boolean sampled(long offset) {
    long z = offset + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return Long.remainderUnsigned(z, 1000) < PER_MILLE;
  }

  /**
   * Writes the sampled synsets of {@code dataNoun} (WordNet's data file format: license lines start with two
   * spaces; a synset line is {@code offset lex_filenum ss_type ... | gloss}) to {@code out}, one JSON object per
   * line; returns the rows per label.
   */
  public static Map<String, Long> write(Path dataNoun, Path out) throws IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    CATEGORIES.values().forEach(label -> counts.put(label, 0L));
    // WordNet 3.0's files are ASCII; ISO-8859-1 reads any byte
    try (BufferedReader in = Files.newBufferedReader(dataNoun, StandardCharsets.ISO_8859_1);
         BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.startsWith("  ") || line.isBlank()) {
          continue;
        }
        int bar = line.indexOf(" | ");
        String[] fields = line.substring(0, Math.max(bar, 0)).split(" ", 3);
        if (bar < 0 || fields.length < 3) {
          throw new UserError(dataNoun + " line " + number + " is not a WordNet synset line (offset lex_filenum ... | gloss).");
        }
        String label = CATEGORIES.get(Integer.parseInt(fields[1]));
        if (label == null || !sampled(Long.parseLong(fields[0]))) {
          continue;
        }
        Map<String, String> row = new LinkedHashMap<>();
        row.put("id", "noun:" + fields[0]);
        row.put("text", line.substring(bar + 3).strip());
        row.put("label", label);
        w.write(JSON.writeValueAsString(row));
        w.newLine();
        counts.merge(label, 1L, Long::sum);
      }
    } catch (NumberFormatException e) {
      throw new UserError(dataNoun + " holds a synset line whose offset or lex_filenum is not a number: "
          + e.getMessage() + ".", e);
    }
    return counts;
  }
}
