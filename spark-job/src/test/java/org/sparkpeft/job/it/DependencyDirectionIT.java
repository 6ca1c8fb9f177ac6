package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.testsupport.ExternalCommand;
import org.sparkpeft.testsupport.ExternalCommand.Result;

/**
 * The build itself enforces DESIGN.md §2: a copy of a module's pom with a forbidden dependency added fails
 * Maven's validate phase with our message, while the unmodified copy passes.
 */
class DependencyDirectionIT {

  @TempDir
  Path tmp;

  @ParameterizedTest(name = "{0} refuses {1}:{2}")
  @CsvSource({
      "dl4j-models, org.apache.spark, spark-core_2.12, dl4j-models must not depend on Spark",
      "data-prep, org.nd4j, nd4j-api, data-prep must not depend on DL4J/ND4J",
      "data-prep, org.deeplearning4j, deeplearning4j-nn, data-prep must not depend on DL4J/ND4J",
  })
  void aForbiddenDependencyFailsTheBuild(String module, String groupId, String artifactId, String message)
      throws Exception {
    Path home = Launcher.home();
    Files.copy(home.resolve("pom.xml"), tmp.resolve("pom.xml"));
    Path moduleDir = Files.createDirectories(tmp.resolve(module));
    String pom = Files.readString(home.resolve(module).resolve("pom.xml"));

    Files.writeString(moduleDir.resolve("pom.xml"), pom);
    Result clean = validate(moduleDir);
    assertEquals(0, clean.exitCode(), "the module as committed must pass:\n" + clean.transcript());

    String forbidden = "<dependencies>\n    <dependency><groupId>" + groupId + "</groupId><artifactId>" + artifactId
        + "</artifactId><version>" + (groupId.equals("org.apache.spark") ? "${spark.version}" : "${dl4j.version}")
        + "</version></dependency>";
    Files.writeString(moduleDir.resolve("pom.xml"), pom.replaceFirst("<dependencies>", java.util.regex.Matcher.quoteReplacement(forbidden)));
    Result broken = validate(moduleDir);
    assertNotEquals(0, broken.exitCode(), broken.transcript());
    assertTrue(broken.stdout().contains(message), broken.transcript());
  }

  private static Result validate(Path moduleDir) {
    String repo = System.getProperty("maven.repo.local");
    return ExternalCommand.of("mvn", "-o", "-B", "-q", "-Dmaven.repo.local=" + repo, "validate")
        .workDir(moduleDir)
        .run(Duration.ofMinutes(3));
  }
}
