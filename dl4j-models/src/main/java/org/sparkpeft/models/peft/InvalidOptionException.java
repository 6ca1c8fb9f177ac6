package org.sparkpeft.models.peft;

/**
 * A method option the user gave that is not declared, or whose value its declaration refuses: the message is one
 * sentence that begins with the full key ({@code method.options.<name>}) and says what is accepted.
 */
public final class InvalidOptionException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;

  public InvalidOptionException(String key, String sentence) {
    super(sentence);
    this.key = key;
  }

  /** The full key, e.g. {@code method.options.r}. */
  public String key() {
    return key;
  }
}
