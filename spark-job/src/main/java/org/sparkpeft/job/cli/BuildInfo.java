package org.sparkpeft.job.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions the job jar was built against (from sparkpeft-build.properties, filled in by Maven). */
public record BuildInfo(String sparkpeft, String spark, String scala, String hadoop, String dl4j, String dl4jSpark) {

  public static BuildInfo load() {
    Properties props = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/sparkpeft-build.properties")) {
      if (in == null) {
        throw new IllegalStateException("sparkpeft-build.properties is missing from the job jar");
      }
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BuildInfo(props.getProperty("sparkpeft.version"), props.getProperty("spark.version"),
        props.getProperty("scala.version"), props.getProperty("hadoop.version"),
        props.getProperty("dl4j.version"), props.getProperty("dl4j.spark.version"));
  }
}
