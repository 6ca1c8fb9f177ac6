package org.sparkpeft.data.it;

import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.config.ConfigLoader;

/** A spark-submit entry point for the cluster tests: {@code PrepareApp key=value ...}. */
public final class PrepareApp {

  private PrepareApp() {}

  public static void main(String[] args) {
    try (SparkSession spark = SparkSession.builder().appName("prepare-it").getOrCreate()) {
      PrepareResult result = PrepareJob.run(spark, ConfigLoader.load(null, List.of(args), c -> {
        throw new IllegalArgumentException("the cluster test names its input");
      }));
      System.out.print(result.summary());
      System.out.println("executors " + spark.sparkContext().getExecutorMemoryStatus().size());
    }
  }
}
