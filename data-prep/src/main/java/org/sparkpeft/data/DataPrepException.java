package org.sparkpeft.data;

/**
 * A problem with what the user gave (a config key, a path, a column name, an input that cannot be prepared at all),
 * told in one sentence that names the key, file or column. Callers print the message without a stack trace.
 * Problems with single rows are never thrown: those rows go to {@code rejects/} with a reason.
 */
public final class DataPrepException extends RuntimeException {

  public DataPrepException(String sentence) {
    super(sentence);
  }

  public DataPrepException(String sentence, Throwable cause) {
    super(sentence, cause);
  }
}
