package org.sparkpeft.data.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.config.PrepareConfig;
import org.sparkpeft.data.source.SpamAssassinCorpus;

/**
 * Throughput of the prepare job: {@code PrepareBench [runs] [result.json] [key=value ...]} prepares the input
 * (default: the SpamAssassin corpus) {@code runs} times in one Spark session (default {@code local[2]}; the first
 * run includes JIT warm-up) and prints rows/s, MB/s and the time per stage; with a JSON path it writes the same.
 * A benchmark, not a test.
 */
public final class PrepareBench {

  private PrepareBench() {}

  public static void main(String[] args) throws IOException {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path json = args.length > 1 && !args[1].contains("=") ? Path.of(args[1]) : null;
    List<String> overrides = new ArrayList<>();
    for (int i = json == null ? 1 : 2; i < args.length; i++) {
      overrides.add(args[i]);
    }
    Path work = Files.createTempDirectory("sparkpeft-prepare-bench");
    SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[2]")
        .setIfMissing("spark.app.name", "sparkpeft prepare bench")
        .setIfMissing("spark.ui.enabled", "false")
        .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    List<Map<String, Object>> rows = new ArrayList<>();
    try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
      System.out.printf("%-4s %8s %8s %9s %8s  %s%n", "run", "rows", "seconds", "rows/s", "MB/s", "stages (s)");
      for (int run = 1; run <= runs; run++) {
        List<String> settings = new ArrayList<>(overrides);
        settings.add("output.path=" + work.resolve("run-" + run).toUri());
        PrepareConfig config = ConfigLoader.load((File) null, settings, c ->
            SpamAssassinCorpus.inputSettings(SpamAssassinCorpus.ensure(SpamAssassinCorpus.defaultCacheDir())));
        PrepareResult result = PrepareJob.run(spark, config);
        System.out.printf("%-4d %8d %8.1f %9.0f %8.2f  %s%n", run, result.manifest().counts().inputRows(),
            result.seconds(), result.rowsPerSecond(), result.megabytesPerSecond(), rounded(result.stageSeconds()));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("run", run);
        row.put("master", spark.sparkContext().master());
        row.put("input", config.source().path());
        row.put("input_rows", result.manifest().counts().inputRows());
        row.put("input_bytes", result.manifest().counts().inputBytes());
        row.put("seconds", result.seconds());
        row.put("rows_per_second", result.rowsPerSecond());
        row.put("megabytes_per_second", result.megabytesPerSecond());
        row.put("stage_seconds", result.stageSeconds());
        rows.add(row);
      }
    }
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), rows);
      System.out.println("wrote " + json);
    }
  }

  private static Map<String, String> rounded(Map<String, Double> stages) {
    Map<String, String> out = new LinkedHashMap<>();
    stages.forEach((k, v) -> out.put(k, String.format("%.1f", v)));
    return out;
  }
}
