package org.sparkpeft.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;

/** bench quality prepares every corpus with a file that exists and reads it as the table says: sotu whole, as windows. */
class QualityBenchTest {

  private static PrepareConfig load(String name) {
    File conf = Path.of("..", "conf").resolve(QualityBench.prepareConf(name)).toFile();
    assertTrue(conf.isFile(), conf.toString());
    return ConfigLoader.load(conf, List.of("output.path=/tmp/unused", "output.overwrite=true"), null);
  }

  @Test
  void sotuIsReadAsWindowsAndTheOthersAsOneRowPerText() {
    assertEquals("prepare-sotu-chunks.conf", QualityBench.prepareConf("sotu"));
    PrepareConfig sotu = load("sotu");
    assertNotNull(sotu.tokenize().chunking(), "sotu: tokenizer.long-text = chunk");
    // the same corpus as the truncated preparation: prepare-sotu-chunks.conf includes prepare-sotu.conf
    assertEquals(ConfigLoader.load(Path.of("..", "conf", "prepare-sotu.conf").toFile(),
        List.of("output.path=/tmp/unused"), null).source(), sotu.source());
    for (String name : QualityBench.DATASETS) {
      if (!name.equals("sotu")) {
        assertEquals("prepare-" + name + ".conf", QualityBench.prepareConf(name));
        assertNull(load(name).tokenize().chunking(), name + " is one row per text");
      }
    }
  }
}
