package org.sparkpeft.job.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/gpu-discovery.sh against a stand-in nvidia-smi: the JSON Spark parses, and one sentence when it cannot. */
class GpuDiscoveryScriptTest {

  private static final Path SCRIPT = Path.of(System.getProperty("sparkpeft.home", "../"), "conf/gpu-discovery.sh");

  @TempDir
  Path bin;

  @Test
  void printsSparksResourceJsonWithEveryIndexNvidiaSmiLists() throws Exception {
    fakeNvidiaSmi("echo 0; echo 1; echo ' 2'");
    Run run = run(bin + ":/usr/bin:/bin");
    assertEquals(0, run.exit, run.err);
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\"]}\n", run.out);
  }

  @Test
  void withoutNvidiaSmiOrGpusItFailsInOneSentence() throws Exception {
    Run missing = run(bin + ":/usr/bin:/bin");
    assertEquals(1, missing.exit);
    assertTrue(missing.err.contains("nvidia-smi is not on the PATH"), missing.err);
    assertEquals(1, missing.err.strip().lines().count(), missing.err);

    fakeNvidiaSmi("true");
    Run none = run(bin + ":/usr/bin:/bin");
    assertEquals(1, none.exit);
    assertTrue(none.err.contains("nvidia-smi lists no GPU"), none.err);
  }

  private void fakeNvidiaSmi(String body) throws IOException {
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String path) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString());
    builder.environment().put("PATH", path);
    Process process = builder.start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the script hung");
    return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
