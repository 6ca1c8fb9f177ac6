package org.sparkpeft.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void helpListsEveryCommand() {
    Captured run = capture(() -> Main.run("--help"));
    assertEquals(0, run.code);
    for (String command : new String[] {"demo", "prepare", "train", "select", "evaluate", "predict", "embed", "doctor"}) {
      assertTrue(run.out.contains(command), "help lacks " + command + ":\n" + run.out);
    }
  }

  @Test
  void anUnknownCommandIsOneSentenceAndExitCodeTwo() {
    Captured run = capture(() -> Main.run("trian"));
    assertEquals(2, run.code);
    assertTrue(run.err.contains("trian"), run.err);
    assertFalse(run.err.contains("\tat "), "no stack trace for a user error:\n" + run.err);
  }

  @Test
  void badPredictFlagsAreOneSentenceBeforeSparkStarts() {
    Captured run = capture(() -> Main.run("predict", "--adapter", "x", "--input", "texts.txt", "--output", "o.parquet"));
    assertEquals(2, run.code);
    assertTrue(run.err.startsWith("sparkpeft predict: texts.txt has no .parquet/.jsonl/.csv/.tsv extension"), run.err);
    assertEquals(1, run.err.strip().lines().count(), "one sentence:\n" + run.err);
    Captured twice = capture(() -> Main.run("predict", "--adapter", "a,a", "--input", "t.csv", "--output", "o.jsonl"));
    assertEquals(2, twice.code);
    assertTrue(twice.err.contains("--adapter names the same folder twice"), twice.err);
  }

  @Test
  void aMissingRequiredOptionIsOneSentenceAndExitCodeTwo() {
    Captured run = capture(() -> Main.run("evaluate", "--adapter", "x"));
    assertEquals(2, run.code);
    assertTrue(run.err.contains("Missing required option: '--data=PATH'"), run.err);
    assertFalse(run.err.contains("\tat "), "no stack trace for a user error:\n" + run.err);
  }

  /** Issue #19 item 5: bad training settings stop `train` before Spark starts, one sentence naming the key. */
  @Test
  void aBadTrainingSettingIsOneSentenceNamingTheKeyAndExitCodeTwo() {
    String[][] cases = {
        {"method=lora", "sparkpeft train: method is a section (method.options.<name>, method.type), not a value; "
            + "to choose the PEFT method, set method.type=lora or --method lora."},
        {"method.options.r=abc", "sparkpeft train: method.options.r must be an integer >= 1, got 'abc'."},
        {"method.options.lora_alhpa=32", "sparkpeft train: method.options.lora_alhpa is not an option of lora (did "
            + "you mean lora_alpha?); lora accepts r, lora_alpha, lora_dropout, target_modules, layers_to_transform, "
            + "use_rslora."},
        {"method.options.use_rslora=yes", "sparkpeft train: method.options.use_rslora must be true or false, got "
            + "'yes'."},
    };
    for (String[] c : cases) {
      Captured run = capture(() -> Main.run("train", "--data", "d", "--output", "o", c[0]));
      assertEquals(2, run.code, c[0] + ":\n" + run.err);
      assertEquals(c[1], run.err.strip(), c[0]);
    }
  }

  @Test
  void versionNamesThePinnedStack() {
    Captured run = capture(() -> Main.run("--version"));
    assertEquals(0, run.code);
    assertTrue(run.out.contains("Spark 3.5."), run.out);
    assertTrue(run.out.contains("DL4J 1.0.0-M2.1"), run.out);
  }

  record Captured(int code, String out, String err) {}

  static Captured capture(Supplier<Integer> action) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = action.get();
      return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
