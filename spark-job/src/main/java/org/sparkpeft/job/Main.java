package org.sparkpeft.job;

import java.io.PrintWriter;

import org.sparkpeft.data.UserError;
import org.sparkpeft.job.cli.DemoCommand;
import org.sparkpeft.job.cli.DoctorCommand;
import org.sparkpeft.job.cli.EmbedCommand;
import org.sparkpeft.job.cli.EvaluateCommand;
import org.sparkpeft.job.cli.PredictCommand;
import org.sparkpeft.job.cli.PrepareCommand;
import org.sparkpeft.job.cli.SelectCommand;
import org.sparkpeft.job.cli.TrainCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The job jar's entry point: {@code spark-submit --class org.sparkpeft.job.Main sparkpeft-job.jar <command> ...}.
 * {@code bin/sparkpeft} calls it the same way. Exit codes: 0 success, 1 failure, 2 bad input (one sentence on
 * stderr, no stack trace).
 */
@Command(name = "sparkpeft", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Distributed parameter-efficient fine-tuning on Apache Spark with Deeplearning4j.",
    subcommands = {
        DemoCommand.class,
        PrepareCommand.class,
        TrainCommand.class,
        SelectCommand.class,
        EvaluateCommand.class,
        PredictCommand.class,
        EmbedCommand.class,
        DoctorCommand.class,
    })
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = run(args);
    System.exit(code);
  }

  /** Runs a command and returns its exit code (does not exit; used by tests). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
      UserError user = findUserError(exception);
      if (user != null) {
        commandLine.getErr().println("sparkpeft " + commandLine.getCommandName() + ": " + user.getMessage());
        return UserError.EXIT_CODE;
      }
      throw exception;
    });
    cli.setParameterExceptionHandler((exception, strings) -> {
      PrintWriter err = exception.getCommandLine().getErr();
      err.println("sparkpeft " + exception.getCommandLine().getCommandName() + ": " + exception.getMessage()
          + " (see --help)");
      return UserError.EXIT_CODE;
    });
    return cli.execute(args);
  }

  private static UserError findUserError(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UserError user) {
        return user;
      }
    }
    return null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** --version prints the versions the jar was built against. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      org.sparkpeft.job.cli.BuildInfo build = org.sparkpeft.job.cli.BuildInfo.load();
      return new String[] {"sparkpeft " + build.sparkpeft() + " (Spark " + build.spark() + ", Scala " + build.scala()
          + ", DL4J " + build.dl4j() + ")"};
    }
  }
}
