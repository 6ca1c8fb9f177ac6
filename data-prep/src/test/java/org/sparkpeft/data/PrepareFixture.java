package org.sparkpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;

/** Helpers for the local[2] prepare tests: write small real inputs, run the job, read what it wrote. */
public final class PrepareFixture {

  private PrepareFixture() {}

  public static PrepareConfig config(String... settings) {
    return ConfigLoader.load(null, List.of(settings), c -> {
      throw new AssertionError("tests name their input");
    });
  }

  public static PrepareResult prepare(SparkSession spark, String... settings) {
    PrepareResult result = PrepareJob.run(spark, config(settings));
    Manifest.Counts c = result.manifest().counts();
    assertEquals(c.inputRows(), c.shardRows() + c.duplicates() + c.rejected(), "the row invariant");
    assertEquals(c.inputRecords(), c.inputRows(), "every input record is a row");
    assertTrue(c.balanced());
    return result;
  }

  public static UserError fails(SparkSession spark, String... settings) {
    UserError e = assertThrows(UserError.class, () -> PrepareJob.run(spark, config(settings)));
    assertEquals(1, e.getMessage().lines().count(), "one sentence: " + e.getMessage());
    return e;
  }

  public static Path write(Path file, String text) {
    return write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  public static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reject reason per row id, from rejects/. */
  public static Map<String, String> rejects(SparkSession spark, String out) {
    Map<String, String> reasons = new TreeMap<>();
    if (spark.read().text(out + "/rejects").count() == 0) {
      return reasons;
    }
    for (Row r : spark.read().json(out + "/rejects").collectAsList()) {
      reasons.put(r.getAs("row_id"), r.getAs("reason"));
    }
    return reasons;
  }

  /** Split per row id, over the three split folders. */
  public static Map<String, String> splitOf(SparkSession spark, String out) {
    Map<String, String> split = new TreeMap<>();
    for (String s : List.of("train", "val", "test")) {
      spark.read().parquet(out + "/" + s).select("row_id").collectAsList()
          .forEach(r -> split.put(r.getString(0), s));
    }
    return split;
  }

  /** Every shard row, keyed by row id. */
  public static Map<String, Row> shardRows(SparkSession spark, String out) {
    return List.of("train", "val", "test").stream()
        .flatMap(s -> spark.read().parquet(out + "/" + s).collectAsList().stream())
        .collect(Collectors.toMap(r -> r.getAs("row_id"), r -> r, (a, b) -> {
          throw new AssertionError("row id twice: " + a);
        }, TreeMap::new));
  }

  public static Manifest manifest(String out) throws IOException {
    return ManifestJson.read(new Configuration(), new org.apache.hadoop.fs.Path(out));
  }

  public static void assertContainsAll(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
    }
  }

  public static String csvLines(String... lines) {
    return Arrays.stream(lines).collect(Collectors.joining("\n", "", "\n"));
  }
}
