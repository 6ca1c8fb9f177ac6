package org.sparkpeft.job.cli;

/**
 * A problem with what the user gave (a flag, a key, a file): reported as one sentence, without a stack trace,
 * and the process exits with {@link #EXIT_CODE}.
 */
public final class UserError extends RuntimeException {

  public static final int EXIT_CODE = 2;

  public UserError(String sentence) {
    super(sentence);
  }

  public UserError(String sentence, Throwable cause) {
    super(sentence, cause);
  }
}
