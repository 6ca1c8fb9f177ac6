package org.sparkpeft.job.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * The Spark ML API on local[2]: fit on a DataFrame → transform → save → load → transform gives the same output, the
 * estimator works as a Pipeline stage (saved and loaded as a PipelineModel), an adapter written by fit wraps with
 * fromAdapter, and bad params or columns are one sentence naming them.
 */
class PeftClassifierTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Dataset<Row> tickets;
  private static PeftClassificationModel model;

  @BeforeAll
  static void fit() throws Exception {
    spark = LocalSpark.builder("peft-classifier-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    tickets = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
        .csv(TicketData.writeCsv(tmp, 200).toString());
    model = new PeftClassifier().setTextCol("description").setLabelCol("queue").setMaxLength(32).setEpochs(1)
        .setBatchSize(8).setAveragingFrequency(2).setMethodOptions("r=4;lora_alpha=8")
        .setCheckpointDir(tmp.resolve("fit").toUri().toString()).fit(tickets);
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  @Test
  void fitTransformSaveLoadTransformGivesTheSameOutput() throws Exception {
    Dataset<Row> scored = model.transform(tickets);
    assertEquals(List.of("id", "description", "queue", "rawPrediction", "probability", "prediction",
        "predictedLabel"), List.of(scored.columns()));
    List<Row> rows = scored.orderBy("id").collectAsList();
    long right = rows.stream().filter(r -> r.getString(2).equals(r.getString(6))).count();
    assertTrue(right >= 160, right + " of 200 tickets labelled right");
    for (Row r : rows) {
      assertEquals(model.labels().get((int) r.getDouble(5)), r.getString(6));
    }

    String path = tmp.resolve("saved-model").toUri().toString();
    model.write().overwrite().save(path);
    assertTrue(Files.exists(tmp.resolve("saved-model/adapter/adapter_model.safetensors")));
    PeftClassificationModel loaded = PeftClassificationModel.load(path);
    assertEquals(model.uid(), loaded.uid());
    assertEquals(32, loaded.getMaxLength());
    assertSameProbabilities(rows, loaded.transform(tickets).orderBy("id").collectAsList());
    UserError exists = assertThrows(UserError.class, () -> model.write().save(path));
    assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());

    // the adapter fit wrote, wrapped as a model, scores the same
    PeftClassificationModel wrapped = PeftClassificationModel.fromAdapter(tmp.resolve("fit/run/adapter").toUri()
        .toString()).copy(new org.apache.spark.ml.param.ParamMap());
    wrapped.set(wrapped.textCol(), "description");
    assertSameProbabilities(rows, wrapped.transform(tickets).orderBy("id").collectAsList());
  }

  @Test
  void worksAsAPipelineStageSavedAndLoadedWithThePipeline() throws Exception {
    // every training setting but the epochs chosen from the data, as train does
    PeftClassifier classifier = new PeftClassifier().setTextCol("description").setLabelCol("queue")
        .setEpochs(2).setMethod("head").setCheckpointDir(tmp.resolve("pipeline-fit").toUri().toString());
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {classifier}).fit(tickets);
    JsonNode chosen = new ObjectMapper().readTree(tmp.resolve("pipeline-fit/run/metrics.json").toFile())
        .path("chosen");
    assertEquals("set by you", chosen.path("train.epochs").path("reason").asText());
    for (String key : List.of("train.max-length", "train.batch-size", "train.averaging-frequency", "optimizer.lr")) {
      assertTrue(!chosen.path(key).path("reason").asText("set by you").equals("set by you"), key + ": " + chosen);
    }
    assertTrue(chosen.path("optimizer.lr").path("reason").asText().startsWith("head's rate"), chosen.toString());
    PeftClassificationModel stage = (PeftClassificationModel) fitted.stages()[0];
    assertEquals(chosen.path("train.max-length").path("value").asInt(), stage.getMaxLength(),
        "the model reads texts at the length it was trained on");
    List<Row> before = fitted.transform(tickets).orderBy("id").collectAsList();
    String path = tmp.resolve("pipeline").toUri().toString();
    fitted.write().overwrite().save(path);
    assertSameProbabilities(before, PipelineModel.load(path).transform(tickets).orderBy("id").collectAsList());

    // the estimator alone round-trips its params
    classifier.write().overwrite().save(tmp.resolve("estimator").toUri().toString());
    PeftClassifier back = PeftClassifier.load(tmp.resolve("estimator").toUri().toString());
    assertEquals("head", back.getMethod());
    assertEquals("description", back.getTextCol());
  }

  @Test
  void trainingSettingsLeftAtZeroAreChosenFromTheDataAndSetOnesWin() {
    List<String> chosenKeys = List.of("train.max-length", "train.epochs", "train.batch-size",
        "train.averaging-frequency", "optimizer.lr");
    TrainConfig unset = new PeftClassifier().setMethod("head").trainConfig("file:/data", "file:/out");
    for (String key : chosenKeys) {
      assertFalse(unset.isExplicit(key), key + " is left to the chooser");
    }
    TrainConfig set = new PeftClassifier().setMaxLength(64).setEpochs(3).setBatchSize(8).setAveragingFrequency(2)
        .setLearningRate(1e-3).trainConfig("file:/data", "file:/out");
    for (String key : chosenKeys) {
      assertTrue(set.isExplicit(key), key + " was set");
    }
    assertEquals(List.of(3, 8, 2, 0), List.of(set.train().epochs(), set.train().batchSize(),
        set.train().averagingFrequency(), set.train().maxLength()), "a set maxLength is trained on whole");
    assertEquals(1e-3, set.optimizer().learningRate());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> new PeftClassifier().setEpochs(-1));
    assertTrue(negative.getMessage().contains("epochs"), negative.getMessage());
  }

  @Test
  void badParamsAndColumnsAreOneSentenceNamingThem() {
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
        () -> new PeftClassifier().setMaxLength(1000));
    assertTrue(length.getMessage().contains("maxLength") && length.getMessage().contains("1000"),
        length.getMessage());
    UserError noText = assertThrows(UserError.class, () -> model.transform(tickets.drop("description")));
    assertTrue(noText.getMessage().contains("no text column 'description' (textCol)"), noText.getMessage());
    StructType numbers = new StructType().add("description", DataTypes.IntegerType);
    UserError notText = assertThrows(UserError.class, () -> model.transformSchema(numbers));
    assertTrue(notText.getMessage().contains("must be a string, it is int"), notText.getMessage());
    UserError noLabel = assertThrows(UserError.class, () -> new PeftClassifier().setTextCol("description")
        .fit(tickets.drop("queue")));
    assertTrue(noLabel.getMessage().contains("no label column 'label' (labelCol)"), noLabel.getMessage());
    UserError options = assertThrows(UserError.class, () -> new PeftClassifier().setTextCol("description")
        .setLabelCol("queue").setMethodOptions("r:4").fit(tickets));
    assertTrue(options.getMessage().startsWith("methodOptions must be name=value pairs"), options.getMessage());
    UserError oneLabel = assertThrows(UserError.class, () -> new PeftClassifier().setTextCol("description")
        .setLabelCol("queue").fit(tickets.where("queue = 'billing'")));
    assertTrue(oneLabel.getMessage().startsWith("the DataFrame has one label only (billing) after preparing: a "
        + "classifier needs at least 2; check labelCol ('queue')"), oneLabel.getMessage());

    // a row without text gets nulls, not an error
    List<Row> one = new ArrayList<>(List.of(RowFactory.create("x", null, "billing")));
    Dataset<Row> missing = spark.createDataFrame(one, tickets.schema());
    Row r = model.transform(missing).first();
    assertTrue(r.isNullAt(3) && r.isNullAt(4) && r.isNullAt(5) && r.isNullAt(6), r.toString());
  }

  private static void assertSameProbabilities(List<Row> expected, List<Row> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      Row a = expected.get(i);
      Row b = actual.get(i);
      assertEquals(a.getString(0), b.getString(0));
      int p = a.fieldIndex("probability");
      assertArrayEquals(((Vector) a.get(p)).toArray(), ((Vector) b.get(b.fieldIndex("probability"))).toArray(), 1e-6,
          a.getString(0));
    }
  }
}
