package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;

/** WordNet's data.noun to labelled JSON lines: which synsets, which text, which label. */
class WordNetGlossesTest {

  @TempDir
  Path dir;

  private static long firstOffset(boolean sampled, long from) {
    // bounded: a sample that keeps every offset (or none) fails here instead of searching forever
    return LongStream.range(from, from + 100_000).filter(o -> WordNetGlosses.sampled(o) == sampled).findFirst()
        .orElseThrow(() -> new AssertionError("no offset from " + from + " with sampled = " + sampled));
  }

  private static String synset(long offset, int lexFile, String word, String gloss) {
    // the format of WordNet's data files: offset lex_filenum ss_type w_cnt word lex_id p_cnt pointers | gloss
    return String.format("%08d %02d n 01 %s 0 001 @ 00001740 n 0000 | %s  ", offset, lexFile, word, gloss);
  }

  @Test
  void sampledSynsetsOfTheEightCategoriesBecomeGlossAndCategory() throws Exception {
    long in1 = firstOffset(true, 1000);
    long in2 = firstOffset(true, in1 + 1);
    long in3 = firstOffset(true, in2 + 1);
    long out = firstOffset(false, 1000);
    List<String> lines = new ArrayList<>(List.of(
        "  1 This software and database is being provided to you, the LICENSEE, by  ",
        "  2 Princeton University under the following license.  "));
    lines.add(synset(in1, 5, "crab", "bluish edible crab of Atlantic coasts; \"crabs walk sideways\""));
    lines.add(synset(out, 13, "bread", "food made from dough of flour or meal"));
    lines.add(synset(in2, 3, "entity", "that which is perceived or known")); // noun.Tops: not one of the eight
    lines.add(synset(in3, 12, "joy", "the emotion of great happiness"));
    Path data = dir.resolve("data.noun");
    Files.write(data, lines, StandardCharsets.ISO_8859_1);

    Path jsonl = dir.resolve("nouns.jsonl");
    Map<String, Long> counts = WordNetGlosses.write(data, jsonl);

    ObjectMapper json = new ObjectMapper();
    List<String> written = Files.readAllLines(jsonl);
    assertEquals(2, written.size(), written.toString());
    assertEquals(Map.of("id", String.format("noun:%08d", in1), "text",
        "bluish edible crab of Atlantic coasts; \"crabs walk sideways\"", "label", "animal"),
        json.readValue(written.get(0), Map.class));
    assertEquals(Map.of("id", String.format("noun:%08d", in3), "text", "the emotion of great happiness",
        "label", "feeling"), json.readValue(written.get(1), Map.class));
    assertEquals(8, counts.size());
    assertEquals(1L, counts.get("animal"));
    assertEquals(1L, counts.get("feeling"));
    assertEquals(0L, counts.get("food"));
  }

  @Test
  void theSampleIsAboutSixPercentOfOffsets() {
    long kept = LongStream.range(0, 200_000).map(o -> o * 97 + 1740).filter(WordNetGlosses::sampled).count();
    assertTrue(kept > 200_000 * 0.055 && kept < 200_000 * 0.065, kept + " of 200,000");
  }

  @Test
  void aLineThatIsNotASynsetStopsWithItsNumber() throws Exception {
    Path data = dir.resolve("data.noun");
    Files.write(data, List.of("  1 license  ", "00001740 03 n 01 entity 0 000 no gloss bar"));
    UserError e = assertThrows(UserError.class, () -> WordNetGlosses.write(data, dir.resolve("out.jsonl")));
    assertTrue(e.getMessage().contains("data.noun line 2"), e.getMessage());
  }
}
