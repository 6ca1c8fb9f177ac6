package org.sparkpeft.job.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;

class TrainConfigLoaderTest {

  @TempDir
  Path tmp;

  @Test
  void defaultsFileAndOverridesLayerInThatOrder() throws Exception {
    Path file = tmp.resolve("job.conf");
    Files.writeString(file, "data = \"hdfs:///prepared/spam\"\ntrain { epochs = 3, workers = 3 }\n"
        + "method.options.r = 16\noutput.path = out\n");
    TrainConfig config = TrainConfigLoader.load(file.toFile(), List.of("train.workers=4", "eval.metric=accuracy"));
    assertEquals("hdfs:///prepared/spam", config.data());
    assertNull(config.model());
    assertEquals("lora", config.methodType());
    assertEquals("16", config.methodOptions().get("r"));
    assertEquals("query,value", config.methodOptions().get("target_modules"));
    assertEquals(3, config.train().epochs());
    assertEquals(4, config.train().workers());
    assertEquals(32, config.train().batchSize());
    assertEquals(TrainConfig.Metric.ACCURACY, config.eval().metric());
    assertEquals(5e-4, config.optimizer().learningRate());
    assertEquals(new TrainConfig.FeatureCache(true, 4096), config.train().featureCache());
    assertEquals(new TrainConfig.FeatureCache(false, 10), TrainConfigLoader.load(null, List.of("data=d",
        "output.path=o", "train.feature-cache=OFF", "train.feature-cache-max-mb=10")).train().featureCache());
  }

  @Test
  void theBaselineIsOnByDefaultAndCanBeSwitchedOff() {
    assertTrue(TrainConfigLoader.load(null, List.of("data=d", "output.path=o")).baseline().enabled());
    assertEquals(false, TrainConfigLoader.load(null, List.of("data=d", "output.path=o", "baseline.enabled=false"))
        .baseline().enabled());
    assertEquals("baseline.enabled must be true or false, got 'sometimes'.", error("baseline.enabled=sometimes"));
  }

  @Test
  void theExampleJobConfigLoads() {
    File example = new File(System.getProperty("sparkpeft.home", ".."), "conf/train-spamassassin-lora.conf");
    TrainConfig config = TrainConfigLoader.load(example, List.of());
    assertEquals("sparkpeft-data/spamassassin", config.data());
    assertEquals(3, config.eval().patience());
    assertEquals("8", config.methodOptions().get("r"));
  }

  @Test
  void anotherMethodDoesNotInheritLorasOptions() {
    TrainConfig config = TrainConfigLoader.load(null, List.of("data=d", "output.path=o", "method.type=head"));
    assertEquals("head", config.methodType());
    assertEquals(Map.of(), config.methodOptions());
    assertEquals(10, config.train().checkpointEveryRounds());
  }

  @Test
  void everyBadValueIsOneSentenceNamingItsKey() {
    assertEquals("train.workers must be an integer >= 1, got 0.", error("train.workers=0"));
    assertEquals("optimizer.lr must be a number, got 'fast'.", error("optimizer.lr=fast"));
    assertEquals("head.dropout must be in [0, 1), got 1.5.", error("head.dropout=1.5"));
    assertEquals("checkpoint.every-rounds must be an integer >= 0, got -1.", error("checkpoint.every-rounds=-1"));
    assertEquals("checkpoint.every-rounds must be an integer, got 'often'.", error("checkpoint.every-rounds=often"));
    assertEquals("eval.metric must be one of [accuracy, macro_f1, loss], got 'f2'.", error("eval.metric=f2"));
    assertEquals("unknown training key train.epoch; see the README's configuration reference.",
        error("train.epoch=3"));
    assertEquals("output.overwrite must be true or false, got 'yes please'.", error("output.overwrite=yes please"));
    assertTrue(error("method.type=prefix_tuning").startsWith("method.type: unknown PEFT method 'prefix_tuning'"),
        error("method.type=prefix_tuning"));
    assertEquals("method.options.r must be an integer >= 1, got '0'.", error("method.options.r=0"));
    assertEquals("train.epochs must be an integer, got 'abc'.", error("train.epochs=abc"));
    assertEquals("optimizer.lr must be > 0, got -1.0.", error("optimizer.lr=-1"));
    assertEquals("eval.metric must be one of [accuracy, macro_f1, loss], got 'foo'.", error("eval.metric=foo"));
    assertEquals("train.feature-cache must be auto or off, got 'on'.", error("train.feature-cache=on"));
    assertEquals("train.feature-cache-max-mb must be an integer >= 0, got -5.", error("train.feature-cache-max-mb=-5"));
    assertEquals("train.class-weights must be one of [auto, balanced, none], got 'inverse'.",
        error("train.class-weights=inverse"));
    assertEquals("train.max-length must be 0 (as prepared) or >= 2 ([CLS] and [SEP]), got 1.",
        error("train.max-length=1"));
    assertEquals("optimizer.head-lr must be >= 0, got -0.1.", error("optimizer.head-lr=-0.1"));
    assertEquals("head.init must be one of [probe, random], got 'linear'.", error("head.init=linear"));
    assertEquals("data is required.",
        assertThrows(UserError.class, () -> TrainConfigLoader.load(null, List.of("output.path=o"))).getMessage());
    assertEquals("config file " + new File("nope.conf") + " does not exist.",
        assertThrows(UserError.class, () -> TrainConfigLoader.load(new File("nope.conf"), List.of())).getMessage());
  }

  @Test
  void everyExampleTrainingConfigInConfLoads() throws Exception {
    java.nio.file.Path conf = java.nio.file.Path.of(System.getProperty("sparkpeft.home", "..")).resolve("conf");
    List<java.nio.file.Path> files;
    try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(conf)) {
      files = list.filter(f -> f.getFileName().toString().matches("train-.*\\.conf")).sorted().toList();
    }
    assertTrue(files.size() >= 6, "example configs: " + files);
    java.util.Set<String> methods = new java.util.TreeSet<>();
    for (java.nio.file.Path file : files) {
      methods.add(TrainConfigLoader.load(file.toFile(), List.of()).methodType());
    }
    assertEquals(new java.util.TreeSet<>(org.sparkpeft.models.peft.PeftMethods.types()), methods,
        "one example job per PEFT method");
  }

  // issue #19 item 5: method options are declared; unknown ones and bad values stop the job naming the full key

  @Test
  void aRankThatIsNotAnIntegerNamesItsFullKey() {
    assertEquals("method.options.r must be an integer >= 1, got 'abc'.", error("method.options.r=abc"));
    assertEquals("method.options.r must be an integer >= 1, got '-2'.", error("method.options.r=-2"));
  }

  @Test
  void aValueForTheMethodSectionSaysToSetMethodType() {
    String expected = "method is a section (method.options.<name>, method.type), not a value; to choose the PEFT "
        + "method, set method.type=lora or --method lora.";
    assertEquals(expected, error("method=lora"));
    assertEquals(expected, assertThrows(UserError.class, () -> TrainConfigLoader.load(null,
        List.of("data=d", "output.path=o", "method=lora", "method.options.r=4"))).getMessage());
    assertEquals("method.options is a section (method.options.<name>), not a value.",
        error("method.options=r=4"));
    assertTrue(error("train..epochs=3").startsWith("command-line settings are not valid: "), error("train..epochs=3"));
    assertEquals("train is a section (train.averaging-frequency, train.batch-size, train.class-weights, "
        + "train.epochs, train.feature-cache, train.feature-cache-max-mb, train.max-length, train.seed, "
        + "train.workers), not a value.", error("train=5"));
  }

  @Test
  void aValueForASectionInAJobFileIsRefusedToo() throws Exception {
    Path file = tmp.resolve("job.conf");
    Files.writeString(file, "data = d\noutput.path = o\nmethod = ia3\n");
    assertEquals("method is a section (method.options.<name>, method.type), not a value; to choose the PEFT "
            + "method, set method.type=ia3 or --method ia3.",
        assertThrows(UserError.class, () -> TrainConfigLoader.load(file.toFile(), List.of())).getMessage());
    Files.writeString(file, "data = d\noutput.path = o\neval.metric = [accuracy, loss]\n");
    assertEquals("eval.metric must be a single value, got [accuracy, loss].",
        assertThrows(UserError.class, () -> TrainConfigLoader.load(file.toFile(), List.of())).getMessage());
    Files.writeString(file, "data = d\noutput.path = o\ntrain.epochs = null\n");
    assertEquals("train.epochs must be an integer, got null.",
        assertThrows(UserError.class, () -> TrainConfigLoader.load(file.toFile(), List.of())).getMessage());
  }

  @Test
  void aMisspelledOptionIsRefusedListingTheAcceptedOnes() {
    assertEquals("method.options.lora_alhpa is not an option of lora (did you mean lora_alpha?); lora accepts r, "
        + "lora_alpha, lora_dropout, target_modules, layers_to_transform, use_rslora.",
        error("method.options.lora_alhpa=32"));
    assertEquals("method.options.r is not an option of bitfit; bitfit takes no options.",
        assertThrows(UserError.class, () -> TrainConfigLoader.load(null,
            List.of("data=d", "output.path=o", "method.type=bitfit", "method.options.r=8"))).getMessage());
  }

  @Test
  void aBooleanOptionIsTrueOrFalse() {
    assertEquals("method.options.use_rslora must be true or false, got 'yes'.", error("method.options.use_rslora=yes"));
    assertEquals("true", TrainConfigLoader.load(null, List.of("data=d", "output.path=o",
        "method.options.use_rslora=true")).methodOptions().get("use_rslora"));
  }

  @Test
  void anUnknownTargetModuleListsTheRoles() {
    assertEquals("method.options.target_modules must be one or more of query, key, value, attention_output, "
            + "intermediate, output separated by commas, or all_linear alone, got 'foo'.",
        error("method.options.target_modules=foo"));
  }

  @Test
  void aHoconListOfTargetModulesIsTheSameAsCommaSeparatedText() throws Exception {
    Path file = tmp.resolve("job.conf");
    Files.writeString(file, "data = d\noutput.path = o\nmethod.options.target_modules = [query, key]\n");
    assertEquals("query,key", TrainConfigLoader.load(file.toFile(), List.of()).methodOptions().get("target_modules"));
  }

  private static String error(String setting) {
    return assertThrows(UserError.class,
        () -> TrainConfigLoader.load(null, List.of("data=d", "output.path=o", setting))).getMessage();
  }
}
