package org.sparkpeft.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparkpeft.models.nativebuild.NativeBuild;

class DoctorCommandTest {

  @Test
  void passesOnLocalTwoWithTheBuildsFlagsAndReportsTheStack() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code = new DoctorCommand(new PrintStream(buffer, true, StandardCharsets.UTF_8)).call();
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("master local[2]"), out);
    // the native build each JVM loaded (local[2]: one JVM), named as the JavaCPP cache names it
    assertTrue(out.contains("CpuBackend " + NativeBuild.loaded() + " ("), out);
    assertTrue(out.contains("all checks passed"), out);
  }

  @Test
  void factsSurviveTheirLineEncodingAndJudgeHealth() {
    ProcessFacts facts = ProcessFacts.ofThisJvm();
    assertEquals(facts, ProcessFacts.fromLine(facts.toLine()));
    assertTrue(facts.healthy(), facts.toString());

    ProcessFacts missingFlag = new ProcessFacts("executor 3", 42, "17", List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"),
        false, "CpuBackend", "OPENBLAS", 2, true, "-", "-");
    assertFalse(missingFlag.healthy());
    assertEquals(missingFlag, ProcessFacts.fromLine(missingFlag.toLine()));
    ProcessFacts brokenNd4j = new ProcessFacts("driver", 1, "17", List.of(), true, "-", "-", -1, false,
        "UnsatisfiedLinkError: no jnind4jcpu", "-");
    assertFalse(brokenNd4j.healthy());
  }
}
