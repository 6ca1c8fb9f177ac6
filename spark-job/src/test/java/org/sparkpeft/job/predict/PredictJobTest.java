package org.sparkpeft.job.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.cli.TrainCommand;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.testsupport.LocalSpark;

import picocli.CommandLine;

/**
 * {@code predict} on local[2] with two real adapters (LoRA and head-only, trained here on the ticket data): the
 * text is prepared as in training (the LoRA adapter labels the tickets it learnt), several adapters in one job give
 * exactly what each gives alone, LoRA merged into the base gives the same predictions, and rows without text stay.
 */
class PredictJobTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path lora;
  private static Path head;
  private static Path loraTop;
  private static Path input;

  @BeforeAll
  static void trainTwoAdapters() throws Exception {
    spark = LocalSpark.builder("predict-job-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    Path csv = TicketData.writeCsv(tmp, 200);
    lora = train(csv, "lora-run", "lora");
    head = train(csv, "head-run", "head");
    loraTop = train(csv, "lora-top-run", "lora", "method.options.layers_to_transform=5");
    // the tickets again, plus a row without text and one that is only whitespace
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    lines.add("t-empty,,billing");
    lines.add("t-blank,\"   \",billing");
    input = tmp.resolve("to-score.csv");
    Files.write(input, lines);
  }

  private static Path train(Path csv, String name, String method, String... more) {
    Path out = tmp.resolve(name);
    TrainCommand train = new TrainCommand();
    List<String> args = new ArrayList<>(List.of("--input", csv.toUri().toString(), "--format", "csv", "--text-col",
        "description", "--label-col", "queue", "--max-length", "32", "--method", method, "--output",
        out.toUri().toString(), "--epochs", "1", "--workers", "2", "train.batch-size=8",
        "train.averaging-frequency=2", "eval.every-rounds=0", "optimizer.lr=" + (method.equals("head") ? "1e-2" : "2e-3")));
    args.addAll(List.of(more));
    new CommandLine(train).parseArgs(args.toArray(String[]::new));
    assertEquals(0, train.run(spark));
    return out.resolve("adapter");
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void severalAdaptersInOneJobEqualEachAloneAndRowsWithoutTextStay() {
    Map<String, Row> alone = predict("lora.parquet", false, lora);
    Map<String, Row> headAlone = predict("head.parquet", false, head);
    Map<String, Row> both = predict("both.parquet", false, lora, head);
    assertEquals(202, both.size(), "every input row is in the output");
    assertEquals(TextScorer.MISSING, both.get("t-empty").getAs("reason"));
    assertEquals(TextScorer.EMPTY, both.get("t-blank").getAs("reason"));
    assertNull(both.get("t-empty").getAs("predictions"));
    // the input is one small CSV file, read as one partition: it is spread so that both cores of local[2] score
    try (java.util.stream.Stream<Path> parts = Files.list(tmp.resolve("both.parquet"))) {
      assertEquals(2, parts.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("part-") && n.endsWith(".parquet")).count(), "one output part per core");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }

    int correct = 0;
    for (Map.Entry<String, Row> e : both.entrySet()) {
      if (e.getValue().getAs("reason") != null) {
        continue;
      }
      List<Row> p = e.getValue().getList(e.getValue().fieldIndex("predictions"));
      assertEquals(2, p.size());
      assertEquals(lora.toUri().toString(), p.get(0).getAs("adapter"));
      assertEquals(head.toUri().toString(), p.get(1).getAs("adapter"));
      Row single = alone.get(e.getKey()).<Row>getList(alone.get(e.getKey()).fieldIndex("predictions")).get(0);
      Row singleHead = headAlone.get(e.getKey()).<Row>getList(headAlone.get(e.getKey()).fieldIndex("predictions"))
          .get(0);
      assertEquals(single.<String>getAs("label"), p.get(0).getAs("label"), e.getKey());
      assertEquals(single.<Double>getAs("probability"), p.get(0).<Double>getAs("probability"), 1e-5, e.getKey());
      assertEquals(singleHead.<String>getAs("label"), p.get(1).getAs("label"), e.getKey());
      assertEquals(singleHead.<Double>getAs("probability"), p.get(1).<Double>getAs("probability"), 1e-5);
      String expected = Integer.parseInt(e.getKey().substring(1)) % 2 == 0 ? "billing" : "technical";
      correct += expected.equals(p.get(0).getAs("label")) ? 1 : 0;
    }
    assertTrue(correct >= 180, "the LoRA adapter labels " + correct + " of 200 training tickets right: the text must "
        + "be cleaned and tokenized as in training");
  }

  @Test
  void adaptersOfTheTopLayersShareTheFrozenTrunkAndGiveWhatEachGivesAlone() throws Exception {
    // LoRA on block 5 only and head-only: embeddings and blocks 0-4 run once per batch for both
    org.sparkpeft.models.BaseModel base = ModelLocation.defaultModel().load(spark.sparkContext()
        .hadoopConfiguration());
    List<org.sparkpeft.models.peft.PeftModel> models = new ArrayList<>();
    for (Path adapter : List.of(head, loraTop)) {
      models.add(org.sparkpeft.models.io.AdapterFiles.load(base, org.sparkpeft.job.store.AdapterStore.read(
          spark.sparkContext().hadoopConfiguration(), adapter.toUri().toString()), adapter.toString()).model());
    }
    assertEquals(6, SharedTrunk.of(models).sharedLayers(), "embeddings and blocks 0-4");

    Map<String, Row> both = predict("top-both.parquet", false, head, loraTop);
    Map<String, Row> topAlone = predict("top-alone.parquet", false, loraTop);
    Map<String, Row> headAlone = predict("head-alone.parquet", false, head);
    for (Map.Entry<String, Row> e : both.entrySet()) {
      if (e.getValue().getAs("reason") != null) {
        continue;
      }
      List<Row> p = e.getValue().getList(e.getValue().fieldIndex("predictions"));
      Row h = headAlone.get(e.getKey()).<Row>getList(headAlone.get(e.getKey()).fieldIndex("predictions")).get(0);
      Row t = topAlone.get(e.getKey()).<Row>getList(topAlone.get(e.getKey()).fieldIndex("predictions")).get(0);
      assertEquals(h.<String>getAs("label"), p.get(0).getAs("label"), e.getKey());
      assertEquals(h.<Double>getAs("probability"), p.get(0).<Double>getAs("probability"), 1e-5, e.getKey());
      assertEquals(t.<String>getAs("label"), p.get(1).getAs("label"), e.getKey());
      assertEquals(t.<Double>getAs("probability"), p.get(1).<Double>getAs("probability"), 1e-5, e.getKey());
    }
  }

  @Test
  void loraMergedIntoTheBaseGivesTheSamePredictions() throws Exception {
    Map<String, Row> unmerged = predict("unmerged.jsonl", false, lora);
    Map<String, Row> merged = predict("merged.jsonl", true, lora);
    try (java.util.stream.Stream<Path> parts = Files.list(tmp.resolve("merged.jsonl"))) {
      Path part = parts.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
      String first = Files.readAllLines(part).get(0);
      assertTrue(first.contains("\"reason\":"), "JSONL rows name every column, null ones too: " + first);
    }
    assertEquals(unmerged.keySet(), merged.keySet());
    for (String id : unmerged.keySet()) {
      if (unmerged.get(id).getAs("reason") != null) {
        continue;
      }
      Row a = unmerged.get(id).<Row>getList(unmerged.get(id).fieldIndex("predictions")).get(0);
      Row b = merged.get(id).<Row>getList(merged.get(id).fieldIndex("predictions")).get(0);
      assertEquals(a.<String>getAs("label"), b.getAs("label"), id);
      assertEquals(a.<Double>getAs("probability"), b.<Double>getAs("probability"), 1e-4, id);
    }
  }

  @Test
  void badInputsAreOneSentence() {
    UserError column = assertThrows(UserError.class, () -> PredictJob.run(spark, spec("x.parquet", false,
        "nosuch", lora)));
    assertTrue(column.getMessage().contains("has no column 'nosuch'"), column.getMessage());
    UserError adapter = assertThrows(UserError.class, () -> PredictJob.run(spark, spec("y.parquet", false,
        "description", tmp.resolve("nowhere"))));
    assertTrue(adapter.getMessage().contains("has no adapter_config.json"), adapter.getMessage());
  }

  private Map<String, Row> predict(String output, boolean merge, Path... adapters) {
    PredictJob.Result result = PredictJob.run(spark, spec(output, merge, "description", adapters));
    assertEquals(32, result.text().maxLength(), "max length from the training manifest");
    Map<String, Row> byId = new HashMap<>();
    String format = output.endsWith(".parquet") ? "parquet" : "json";
    for (Row row : spark.read().format(format).load(tmp.resolve(output).toUri().toString()).collectAsList()) {
      byId.put(row.getAs("id"), row);
    }
    return byId;
  }

  private static PredictSpec spec(String output, boolean merge, String textColumn, Path... adapters) {
    List<String> paths = new ArrayList<>();
    for (Path a : adapters) {
      paths.add(a.toUri().toString());
    }
    return new PredictSpec(paths, input.toUri().toString(), null, textColumn, "id",
        tmp.resolve(output).toUri().toString(), null, ModelLocation.defaultModel(), null, null, 16, merge, false);
  }
}
