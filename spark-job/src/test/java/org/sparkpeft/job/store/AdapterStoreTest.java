package org.sparkpeft.job.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.models.io.AdapterFiles;

class AdapterStoreTest {

  @TempDir
  Path tmp;

  @Test
  void anAdapterFolderRoundTripsAndMissingOrOversizedFilesAreOneSentence() throws Exception {
    Configuration conf = new Configuration();
    AdapterFiles.Files files = new AdapterFiles.Files("{\"a\":1}".getBytes(), new byte[] {1, 2, 3, 4});
    AdapterStore.write(conf, new org.apache.hadoop.fs.Path(tmp.resolve("adapter").toUri()), files);
    AdapterFiles.Files back = AdapterStore.read(conf, tmp.resolve("adapter").toUri().toString());
    assertArrayEquals(files.config(), back.config());
    assertArrayEquals(files.weights(), back.weights());

    UserError missing = assertThrows(UserError.class, () -> AdapterStore.read(conf, tmp.toUri().toString()));
    assertTrue(missing.getMessage().contains("has no adapter_config.json"), missing.getMessage());

    // a config file far larger than any adapter's (sparse: no disk used) is refused before it is read
    try (RandomAccessFile big = new RandomAccessFile(tmp.resolve("adapter/adapter_config.json").toFile(), "rw")) {
      big.setLength(AdapterStore.MAX_CONFIG_BYTES + 1);
    }
    Files.deleteIfExists(tmp.resolve("adapter/.adapter_config.json.crc"));
    UserError oversized = assertThrows(UserError.class,
        () -> AdapterStore.read(conf, tmp.resolve("adapter").toUri().toString()));
    assertTrue(oversized.getMessage().contains("has adapter_config.json of " + (AdapterStore.MAX_CONFIG_BYTES + 1)
        + " bytes"), oversized.getMessage());
  }
}
