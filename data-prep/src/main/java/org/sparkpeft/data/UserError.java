package org.sparkpeft.data;

/**
 * A problem with what the user gave (a flag, a config key, a path, a column name, an input that cannot be used at
 * all), told in one sentence that names the flag, key, file or column. The one user-error type of sparkpeft, in the
 * lowest module that throws one: data preparation, training, evaluation and the command line all throw it, and the
 * command line prints its message without a stack trace and exits with {@link #EXIT_CODE}. Problems with single
 * rows are never thrown: those rows go to {@code rejects/} with a reason.
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
