package org.sparkpeft.job.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.config.ConfigLoader;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.AdapterTrainer;
import org.sparkpeft.job.train.config.TrainConfigLoader;

/**
 * {@code bin/sparkpeft bench cache [rows] [result.json] [seq] [methods]}: the frozen-trunk feature cache's effect on epoch cost,
 * on local[2] with MiniLM: 2-epoch training runs of {@code head} (cached: the pooled vector) and {@code last_n} n=1
 * (cached: block 5's input hidden states), each without the cache and with it, at batch 32, averaging frequency 4,
 * 2 workers, texts that fill the sequence length ({@code methods}: a comma-separated subset, default both). An epoch's cost is the summed duration of its rounds' Spark jobs
 * (the rounds' tasks, their scheduling and the averaging; validation and the test evaluation are not in it). Every
 * run builds the same batches (same seed), so the epochs compare. The run without the cache goes first and also pays
 * for building the executors' graphs in its first round. A benchmark, not a test: compare ratios within one run.
 */
public final class CacheBench {

  private static final Pattern ROUND = Pattern.compile("round \\d+/\\d+ · epoch (\\d+) · .*");

  private CacheBench() {}

  public static void main(String[] args) throws IOException {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 640;
    Path json = args.length > 1 ? Path.of(args[1]) : null;
    int seq = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    String[] methods = (args.length > 3 ? args[3] : "head,last_n").split(",");
    Path work = Files.createTempDirectory("sparkpeft-cache-bench");
    SparkConf conf = new SparkConf().setIfMissing("spark.master", "local[2]")
        .setIfMissing("spark.app.name", "sparkpeft cache bench").setIfMissing("spark.ui.enabled", "false")
        .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .set(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName());
    List<Map<String, Object>> results = new ArrayList<>();
    try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
      EpochTimes times = new EpochTimes();
      spark.sparkContext().addSparkListener(times);
      String data = prepare(spark, work, rows, seq);
      long train = spark.read().parquet(data + "/train").count();
      System.out.printf(Locale.ROOT, "feature cache on %s: %d train rows of %d tokens, 2 epochs, batch 32, "
          + "averaging frequency 4, 2 workers%n", spark.sparkContext().master(), train, seq);
      System.out.printf(Locale.ROOT, "%-9s %-6s %11s %11s %11s %11s %15s%n", "method", "cache", "epoch 1 s",
          "epoch 2 s", "ex/s ep. 1", "ex/s ep. 2", "epoch 2/epoch 1");
      for (String method : methods) {
        double[] off = run(spark, times, data, method, "off");
        double[] on = run(spark, times, data, method, "auto");
        print(results, method, "off", off, train);
        print(results, method, "auto", on, train);
        System.out.printf(Locale.ROOT, "%-9s epoch 2 with the cache / without: %.3f%n", method, on[1] / off[1]);
      }
    }
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
    }
  }

  /** Seconds of epoch 1 and epoch 2 of one training run. */
  private static double[] run(SparkSession spark, EpochTimes times, String data, String method, String cache) {
    List<String> settings = new ArrayList<>(List.of("data=" + data, "output.path=unused", "method.type=" + method,
        "train.epochs=2", "train.workers=2", "train.batch-size=32", "train.averaging-frequency=4",
        "eval.every-rounds=0", "checkpoint.every-rounds=0", "train.feature-cache=" + cache));
    if (method.equals("last_n")) {
      settings.add("method.options.n=1");
    }
    times.clear();
    new AdapterTrainer(spark, TrainConfigLoader.load(null, settings)).run();
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain in 60 s", e);
    }
    return new double[] {times.seconds(1), times.seconds(2)};
  }

  private static void print(List<Map<String, Object>> results, String method, String cache, double[] s, long train) {
    System.out.printf(Locale.ROOT, "%-9s %-6s %11.2f %11.2f %11.1f %11.1f %15.3f%n", method, cache, s[0], s[1],
        train / s[0], train / s[1], s[1] / s[0]);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("method", method);
    r.put("feature_cache", cache);
    r.put("train_rows", train);
    r.put("epoch1_seconds", s[0]);
    r.put("epoch2_seconds", s[1]);
    r.put("epoch2_over_epoch1", s[1] / s[0]);
    results.add(r);
  }

  /** {@code rows} texts of random words that fill {@code seq} tokens, two labels, prepared with the default split. */
  private static String prepare(SparkSession spark, Path work, int rows, int seq) throws IOException {
    String[] words = {"refund", "invoice", "crash", "login", "password", "billing", "update", "screen", "order",
        "account", "error", "payment", "delivery", "support", "version", "android", "settings", "charged"};
    Random random = new Random(seq);
    StringBuilder csv = new StringBuilder("id,text,label\n");
    for (int i = 0; i < rows; i++) {
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < seq + 8; w++) {
        text.append(words[random.nextInt(words.length)]).append(' ');
      }
      csv.append("r").append(i).append(',').append(text.toString().strip()).append(',')
          .append(text.indexOf("refund") < text.indexOf("crash") ? "billing" : "technical").append('\n');
    }
    Path file = work.resolve("texts.csv");
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    String output = work.resolve("prepared").toUri().toString();
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("input.path=" + file.toUri(), "input.format=csv",
        "input.text-col=text", "input.label-col=label", "input.id-col=id", "tokenizer.max-length=" + seq,
        "output.path=" + output), c -> {
          throw new IllegalStateException("the bench gives its input");
        }));
    return output;
  }

  /** Sums the durations of the Spark jobs of each epoch's rounds (their descriptions name the epoch). */
  static final class EpochTimes extends SparkListener {
    private final Map<Integer, long[]> running = new ConcurrentHashMap<>();
    private final Map<Integer, Double> seconds = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String description = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
      Matcher m = description == null ? null : ROUND.matcher(description);
      if (m != null && m.matches()) {
        running.put(start.jobId(), new long[] {Integer.parseInt(m.group(1)), start.time()});
      }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
      long[] job = running.remove(end.jobId());
      if (job != null) {
        seconds.merge((int) job[0], (end.time() - job[1]) / 1e3, Double::sum);
      }
    }

    double seconds(int epoch) {
      return seconds.getOrDefault(epoch, 0.0);
    }

    void clear() {
      running.clear();
      seconds.clear();
    }
  }
}
