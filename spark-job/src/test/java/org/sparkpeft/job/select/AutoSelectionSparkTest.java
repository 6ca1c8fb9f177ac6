package org.sparkpeft.job.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.report.MetricsJson;
import org.sparkpeft.job.train.AdapterTrainer;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.job.train.config.TrainConfig;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.auto.AutoConfig;
import org.sparkpeft.models.peft.auto.AutoPlan;
import org.sparkpeft.testsupport.LocalSpark;

/**
 * {@code auto} on Spark with the real MiniLM: the importance from one task and from two (local[2], the sample's
 * batches in 1 or 2 partitions, treeAggregate) agrees; a killed auto run resumes from its checkpoint with the plan
 * it chose (the plan is saved beside the checkpoints and binds them), and the plan reaches metrics.json.
 */
class AutoSelectionSparkTest {

  @TempDir
  static Path tmp;

  private static SparkSession spark;
  private static Path data;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.builder("auto-selection-test")
        .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName()).getOrCreate();
    data = TicketData.prepare(spark, tmp, 120);
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  private static AutoConfig config() {
    return AutoConfig.parse(Map.of("budget", "0.2%", "sample", "48", "head_steps", "10"), HeadConfig.linear(2));
  }

  private static SelectionStage.Setup setup(int workers) {
    return new SelectionStage.Setup(data.toUri().toString(), ModelLocation.defaultModel(), 8, 0, workers, 42, 5e-3);
  }

  @Test
  void theEstimateFromOneAndFromTwoTasksAgrees() {
    SelectionStage.Selected one = SelectionStage.run(spark, setup(1), config());
    SelectionStage.Selected two = SelectionStage.run(spark, setup(2), config());
    assertTrue(one.importance().batches() >= 6, "48 rows in batches of at most 8: " + one.importance().batches());
    assertEquals(one.importance().batches(), two.importance().batches());
    double largest = 0;
    double largestTaylor = 0;
    for (int i = 0; i < one.groups().size(); i++) {
      largest = Math.max(largest, one.importance().meanFisher(i));
      largestTaylor = Math.max(largestTaylor, one.importance().meanTaylor(i));
    }
    for (int i = 0; i < one.groups().size(); i++) {
      double a = one.importance().meanFisher(i);
      double b = two.importance().meanFisher(i);
      // relative agreement, and rounding noise only for groups the loss cannot feel (a key bias: ~1e-17)
      assertEquals(a, b, 1e-6 * Math.abs(a) + 1e-12 * largest, one.groups().get(i).id());
      assertEquals(one.importance().meanTaylor(i), two.importance().meanTaylor(i),
          1e-6 * one.importance().meanTaylor(i) + 1e-9 * largestTaylor, one.groups().get(i).id());
    }
    assertEquals(one.plan().trained().stream().map(e -> e.group() + " " + e.trained()).toList(),
        two.plan().trained().stream().map(e -> e.group() + " " + e.trained()).toList(),
        "the same choices from one task or two (the scores agree up to rounding)");
    assertTrue(one.plan().planned() <= one.plan().budget());
    assertTrue(one.plan().planned() > one.plan().budget() / 2, one.plan().table());
    System.out.println("AUTO plan, MiniLM, 48 ticket rows, budget 0.2 %:\n" + one.plan().table());
  }

  @Test
  void aKilledAutoRunResumesWithThePlanItChose() throws Exception {
    TrainConfig config = TrainConfigLoader.load(null, List.of("data=" + data.toUri(), "output.path=unused",
        "method.type=auto", "method.options.budget=0.2%", "method.options.sample=32", "method.options.head_steps=5",
        "train.epochs=1", "train.workers=2", "train.batch-size=8", "train.averaging-frequency=2",
        "eval.every-rounds=0", "checkpoint.every-rounds=1", "optimizer.lr=2e-3"));
    org.apache.hadoop.fs.Path checkpoints = new org.apache.hadoop.fs.Path(tmp.resolve("auto-ckpt").toUri());

    AutoPlans.Resolved first = AutoPlans.resolve(spark, config, checkpoints);
    assertEquals(AutoPlans.Source.SELECTED, first.source());
    TrainConfig planned = config.withMethodOptions(first.options());
    assertThrows(IllegalStateException.class, () -> new AdapterTrainer(spark, planned, checkpoints).onRound(info -> {
      if (info.round() == 2) {
        throw new IllegalStateException("driver killed after round 2");
      }
    }).run());

    AutoPlans.Resolved again = AutoPlans.resolve(spark, config, checkpoints);
    assertEquals(AutoPlans.Source.CHECKPOINT, again.source());
    assertEquals(first.plan(), again.plan());
    assertEquals(first.options(), again.options());
    AdapterTrainer.Outcome resumed = new AdapterTrainer(spark, config.withMethodOptions(again.options()), checkpoints)
        .run();
    assertEquals(first.plan(), ((AutoConfig) resumed.model().config()).plan());
    assertTrue(resumed.report().rounds() > 2, "rounds: " + resumed.report().rounds());
    String metrics = MetricsJson.write(resumed.report());
    assertTrue(metrics.contains("\"auto_plan\""), metrics);
    assertTrue(!metrics.contains("method.options.selection"), "the plan is an object, not a config string");

    // the saved plan binds the checkpoints: another plan in its place is refused, not trained on
    Path saved = tmp.resolve("auto-ckpt").resolve(AutoPlans.FILE);
    AutoPlan other = new AutoPlan(first.plan().budget(), first.plan().baseParams(), first.plan().batches(),
        first.plan().entries().stream().map(e -> e.choice() == AutoPlan.Choice.LORA && e.rank() > 1
            ? new AutoPlan.Entry(e.group(), e.kind(), e.fisher(), e.taylor(), e.choice(), 1, e.params() / e.rank())
            : e).toList());
    Files.writeString(saved, other.toPrettyJson(), StandardCharsets.UTF_8);
    Files.deleteIfExists(saved.resolveSibling("." + AutoPlans.FILE + ".crc")); // Hadoop's local checksum
    AutoPlans.Resolved edited = AutoPlans.resolve(spark, config, checkpoints);
    UserError refused = assertThrows(UserError.class, () -> new AdapterTrainer(spark,
        config.withMethodOptions(edited.options()), checkpoints).run());
    assertTrue(refused.getMessage().contains("different training configuration"), refused.getMessage());
  }

  @Test
  void selectWritesAPlanAndItsReportAndTrainTrainsThatPlan() throws Exception {
    Path out = tmp.resolve("select-out");
    org.sparkpeft.job.cli.SelectCommand select = new org.sparkpeft.job.cli.SelectCommand();
    new picocli.CommandLine(select).parseArgs("--data", data.toUri().toString(), "--budget", "20000", "--output",
        out.toUri().toString(), "method.options.sample=32", "method.options.head_steps=5", "train.batch-size=8");
    assertEquals(0, select.run(spark));
    AutoPlan plan = AutoPlan.fromJson(Files.readString(out.resolve("plan.json")), "plan.json");
    assertEquals(20000, plan.budget());
    assertTrue(plan.planned() <= 20000 && plan.planned() > 10000, plan.table());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("<svg") && html.contains("encoder.layer.5.output.dense.weight"), html);
    UserError exists = assertThrows(UserError.class, () -> {
      org.sparkpeft.job.cli.SelectCommand again = new org.sparkpeft.job.cli.SelectCommand();
      new picocli.CommandLine(again).parseArgs("--data", data.toUri().toString(), "--output", out.toUri().toString());
      again.run(spark);
    });
    assertTrue(exists.getMessage().contains("--overwrite"), exists.getMessage());

    Path trained = tmp.resolve("auto-trained");
    org.sparkpeft.job.cli.TrainCommand train = new org.sparkpeft.job.cli.TrainCommand();
    new picocli.CommandLine(train).parseArgs("--data", data.toUri().toString(), "--method", "auto", "--output",
        trained.toUri().toString(), "--epochs", "1", "--workers", "2", "train.batch-size=8",
        "train.averaging-frequency=2", "eval.every-rounds=0", "baseline.enabled=false",
        "method.options.plan=" + out.resolve("plan.json"));
    assertEquals(0, train.run(spark));
    org.sparkpeft.models.io.AdapterFiles.Loaded loaded = org.sparkpeft.models.io.AdapterFiles.load(
        org.sparkpeft.models.BaseModel.defaultModel(), org.sparkpeft.job.store.AdapterStore.read(
            spark.sparkContext().hadoopConfiguration(), trained.resolve("adapter").toUri().toString()), "adapter");
    assertEquals(plan, ((AutoConfig) loaded.model().config()).plan(), "the adapter trains the saved plan");
    String metrics = Files.readString(trained.resolve("metrics.json"));
    assertTrue(metrics.contains("\"auto_plan\"") && metrics.contains("\"planned\" : " + plan.planned()), metrics);
  }
}
