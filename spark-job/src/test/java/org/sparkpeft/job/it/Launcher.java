package org.sparkpeft.job.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.sparkpeft.testsupport.ExternalCommand;

/** Runs bin/sparkpeft of this checkout the way a user would, with its cluster state under {@code runDir}. */
final class Launcher {

  static Path home() {
    return Path.of(System.getProperty("sparkpeft.home", "../")).toAbsolutePath().normalize();
  }

  static ExternalCommand.Result run(Path runDir, Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(home().resolve("bin/sparkpeft").toString());
    command.addAll(List.of(args));
    return ExternalCommand.of(command)
        .env("SPARKPEFT_RUN_DIR", runDir.toString())
        .env("SPARKPEFT_NO_BUILD", "1")
        .env("SPARKPEFT_DRIVER_MEMORY", "1g")
        .run(timeout);
  }

  private Launcher() {}
}
