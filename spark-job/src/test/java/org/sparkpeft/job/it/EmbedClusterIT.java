package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.testsupport.StandaloneCluster;

/** {@code embed} from the shaded job jar on a real standalone cluster: two executor JVMs share the work. */
class EmbedClusterIT {

  @TempDir
  Path tmp;

  @Test
  void embedsAThousandLinesOnTwoExecutorJvms() throws Exception {
    Path input = tmp.resolve("texts.jsonl");
    List<String> lines = new ArrayList<>();
    String[] texts = {"The quick brown fox jumps over the lazy dog.", "Free money!!! Act now!!!",
        "Meeting moved to 3pm tomorrow; see the agenda attached.", "東京は日本の首都です。"};
    for (int i = 0; i < 1000; i++) {
      lines.add("{\"id\": " + i + ", \"text\": \"" + texts[i % texts.length] + " #" + i + "\"}");
    }
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path output = tmp.resolve("embeddings.jsonl");

    try (StandaloneCluster cluster = JobJarCluster.start(tmp, "2g")) {
      StandaloneCluster.Submission run = JobJarCluster.submit(cluster, "1536m",
          Map.of("spark.driver.memory", "2g", "spark.default.parallelism", "4"),
          List.of("embed", "--input", input.toUri().toString(), "--id-col", "id", "--output",
              output.toUri().toString(), "--max-length", "64"),
          Duration.ofMinutes(8));
      assertEquals(0, run.exitCode(), run.log());
      assertTrue(run.log().contains("embed: 1000 rows"), run.log());
    }
    List<String> written;
    try (Stream<Path> parts = Files.list(output)) {
      written = parts.filter(p -> p.getFileName().toString().startsWith("part-"))
          .flatMap(p -> {
            try {
              return Files.readAllLines(p).stream();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).collect(Collectors.toList());
    }
    assertEquals(1000, written.size());
    Set<String> ids = written.stream().map(l -> l.substring(l.indexOf("\"id\":") + 5, l.indexOf(','))).collect(Collectors.toSet());
    assertEquals(1000, ids.size(), "every id once");
    assertTrue(written.get(0).contains("\"embedding\":["), written.get(0));
    assertTrue(Files.exists(output.resolve("_SUCCESS")));
  }
}
