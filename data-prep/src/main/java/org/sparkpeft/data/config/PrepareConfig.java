package org.sparkpeft.data.config;

import java.io.Serializable;
import java.util.Objects;

/** Everything one prepare run needs; immutable and validated part by part. */
public record PrepareConfig(SourceSpec source, CleanSpec clean, SplitSpec split, TokenizeSpec tokenize,
                            OutputSpec output) implements Serializable {

  public PrepareConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(clean, "clean");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(tokenize, "tokenize");
    Objects.requireNonNull(output, "output");
  }
}
