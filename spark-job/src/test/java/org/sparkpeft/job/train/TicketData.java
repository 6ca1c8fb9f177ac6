package org.sparkpeft.job.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.PrepareJob;
import org.sparkpeft.data.config.ConfigLoader;

/** A small two-queue support-ticket CSV, prepared with data-prep: training data for fast trainer tests. */
public final class TicketData {

  private static final String[] BILLING = {"I was charged twice for my subscription this month",
      "Please refund invoice number %d", "My credit card payment failed again", "Why is there an extra fee on bill %d",
      "Can I get a receipt for order %d", "The price on my invoice does not match the quote",
      "Cancel my plan and stop charging me", "I need to update my billing address"};
  private static final String[] TECHNICAL = {"The app crashes when I open the settings page",
      "I cannot log in after the update to version %d", "The server returns error %d on upload",
      "My sync stopped working since yesterday", "The dashboard shows a blank screen in Firefox",
      "Password reset email never arrives", "The API times out for requests over %d kB",
      "Notifications are not delivered on Android"};
  private static final String[] TAILS = {"", " please help", " thanks", ", this is urgent", " since Monday",
      " again today", " for the third time", " on my work account"};

  public static Path prepare(SparkSession spark, Path dir, int rows) throws IOException {
    return prepare(spark, dir, rows, dir.resolve("prepared").toUri().toString());
  }

  /** Writes the CSV under {@code dir} and prepares it to {@code output} (any Hadoop URI). */
  public static Path prepare(SparkSession spark, Path dir, int rows, String output) throws IOException {
    Path csv = writeCsv(dir, rows);
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("input.path=" + csv.toUri(), "input.format=csv",
        "input.text-col=description", "input.label-col=queue", "input.id-col=id", "tokenizer.max-length=32",
        "output.path=" + output), c -> {
          throw new IllegalStateException("the test gives its input");
        }));
    return dir.resolve("prepared");
  }

  /** Prepares {@code csv} (columns id, description, queue) to {@code output}, replacing what is there. */
  public static void prepareCsv(SparkSession spark, Path csv, Path output) {
    PrepareJob.run(spark, ConfigLoader.load(null, List.of("input.path=" + csv.toUri(), "input.format=csv",
        "input.text-col=description", "input.label-col=queue", "input.id-col=id", "tokenizer.max-length=32",
        "output.path=" + output.toUri(), "output.overwrite=true"), c -> {
          throw new IllegalStateException("the test gives its input");
        }));
  }

  /** Writes {@code rows} tickets as {@code dir/tickets.csv} (columns id, description, queue). */
  public static Path writeCsv(Path dir, int rows) throws IOException {
    Random random = new Random(7);
    List<String> lines = new ArrayList<>(List.of("id,description,queue"));
    for (int i = 0; i < rows; i++) {
      boolean billing = i % 2 == 0;
      String[] templates = billing ? BILLING : TECHNICAL;
      String text = String.format(templates[random.nextInt(templates.length)], 100 + random.nextInt(900))
          + TAILS[random.nextInt(TAILS.length)];
      lines.add("t" + i + ",\"" + text + "\"," + (billing ? "billing" : "technical"));
    }
    Path csv = dir.resolve("tickets.csv");
    Files.write(csv, lines, StandardCharsets.UTF_8);
    return csv;
  }

  private TicketData() {}
}
