package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;

/**
 * A {@code local[2]} Spark session configured the way the project runs Spark in tests: loopback only, no UI,
 * few shuffle partitions, Kryo, a private warehouse directory. The caller stops it (SparkSession is
 * AutoCloseable).
 */
public final class LocalSpark {

  private LocalSpark() {}

  public static SparkSession.Builder builder(String appName) {
    Path warehouse;
    try {
      warehouse = Files.createTempDirectory("sparkpeft-warehouse");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return SparkSession.builder()
        .appName(appName)
        .master("local[2]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
        .config("spark.sql.session.timeZone", "UTC");
  }

  public static SparkSession start(String appName) {
    return builder(appName).getOrCreate();
  }
}
