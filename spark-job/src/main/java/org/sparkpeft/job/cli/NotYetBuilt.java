package org.sparkpeft.job.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.sparkpeft.data.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Commands whose bodies arrive with later issues. They exist now so that the command line, its help and the
 * launcher are stable; running one says which issue brings it and exits with the user-error code.
 */
public final class NotYetBuilt {

  private NotYetBuilt() {}

  abstract static class Pending implements Callable<Integer> {
    @Unmatched
    List<String> ignored;

    abstract String what();

    @Override
    public Integer call() {
      throw new UserError("this build does not have `" + what() + "` yet; it arrives with the issue named in "
          + "`bin/sparkpeft " + what() + " --help`. Available now: demo, prepare, train, evaluate, embed, doctor, cluster, shell.");
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Score a DataFrame with base + adapter. Not in this build yet: it comes with the Spark ML Model API (a later issue); `evaluate` scores prepared data now.")
  public static final class Predict extends Pending {
    @Override
    String what() {
      return "predict";
    }
  }
}
