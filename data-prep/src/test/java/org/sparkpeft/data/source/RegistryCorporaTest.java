package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareFixture;
import org.sparkpeft.data.UserError;

/** The registry corpora's names and cache layout (fetching itself needs the registries: bench quality does it). */
class RegistryCorporaTest {

  @TempDir
  Path cache;

  @Test
  void corporaAreFoundByName() {
    assertSame(RegistryCorpora.FORTUNES, RegistryCorpora.named("fortunes"));
    assertSame(RegistryCorpora.SOTU, RegistryCorpora.named("sotu"));
    assertSame(RegistryCorpora.WORDNET, RegistryCorpora.named("wordnet"));
    UserError e = assertThrows(UserError.class, () -> RegistryCorpora.named("imdb"));
    assertTrue(e.getMessage().contains("'imdb'") && e.getMessage().contains("fortunes, sotu, wordnet"), e.getMessage());
  }

  @Test
  void aCorpusAlreadyInTheCacheIsUsedWithoutFetching() {
    Path data = RegistryCorpora.FORTUNES.dataDir(cache);
    for (String marker : RegistryCorpora.FORTUNES.markers()) {
      PrepareFixture.write(data.resolve(marker), "a fortune\n%\n");
    }
    assertEquals(data, RegistryCorpora.ensure(RegistryCorpora.FORTUNES, cache));
    assertEquals(cache.resolve("fortunes-debian/usr/share/games/fortunes"), data);
  }

  @Test
  void theConfigsReadWhereEnsurePutsTheData() throws Exception {
    Path conf = Path.of("..", "conf");
    assertTrue(Files.readString(conf.resolve("prepare-fortunes.conf"))
        .contains("/.cache/sparkpeft/corpora/" + RegistryCorpora.FORTUNES.home() + "/"
            + RegistryCorpora.FORTUNES.data() + "\""));
    assertTrue(Files.readString(conf.resolve("prepare-sotu.conf"))
        .contains("/.cache/sparkpeft/corpora/" + RegistryCorpora.SOTU.home() + "/" + RegistryCorpora.SOTU.data()
            + "\""));
    assertTrue(Files.readString(conf.resolve("prepare-wordnet.conf"))
        .contains("/.cache/sparkpeft/corpora/" + RegistryCorpora.WORDNET.home() + "/"
            + RegistryCorpora.WORDNET.data() + "\""));
  }
}
