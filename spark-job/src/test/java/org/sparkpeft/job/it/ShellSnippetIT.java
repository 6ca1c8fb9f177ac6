package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.testsupport.ExternalCommand;

/**
 * The README's Scala snippet of the Spark ML API, taken from the README itself, runs through {@code bin/sparkpeft
 * shell} (the REPL reading it from standard input) in a folder holding the tickets it names: it fits, transforms,
 * saves and loads a model, and prints what the test checks. So the documented snippet cannot rot.
 */
class ShellSnippetIT {

  @TempDir
  Path tmp;

  @Test
  void theReadmesScalaSnippetRunsInTheShell() throws Exception {
    String readme = Files.readString(Launcher.home().resolve("README.md"));
    Matcher block = Pattern.compile("```scala\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(block.find(), "the README has a ```scala block");
    Path snippet = Files.writeString(tmp.resolve("snippet.scala"), block.group(1));
    TicketData.writeCsv(tmp, 200);

    ExternalCommand.Result run = ExternalCommand.of(List.of(Launcher.home().resolve("bin/sparkpeft").toString(),
            "shell"))
        .env("SPARKPEFT_RUN_DIR", tmp.resolve("run").toString())
        .env("SPARKPEFT_NO_BUILD", "1")
        .env("SPARKPEFT_DRIVER_MEMORY", "3g")
        .workDir(tmp)
        .input(snippet)
        .run(Duration.ofMinutes(10));
    String out = run.stdout();
    assertEquals(0, run.exitCode(), run.transcript());
    assertTrue(!out.contains("error:") && !out.contains("Exception"), run.transcript());
    Matcher accuracy = Pattern.compile("accuracy on the training tickets: ([0-9.]+)").matcher(out);
    assertTrue(accuracy.find(), run.transcript());
    assertTrue(Double.parseDouble(accuracy.group(1)) >= 0.8, run.transcript());
    assertTrue(out.contains("reloaded model gives the same labels: true"), run.transcript());
    assertTrue(Files.exists(tmp.resolve("ticket-model/adapter/adapter_model.safetensors")));
    assertTrue(Files.exists(tmp.resolve("ticket-model/metadata/part-00000")));
  }
}
