package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.UserError;

/**
 * Where the shards go. An existing output is refused unless {@code overwrite}.
 */
public record OutputSpec(String path, boolean overwrite) implements Serializable {

  public OutputSpec {
    if (path == null || path.isBlank()) {
      throw new UserError("output.path (--output) is required.");
    }
  }
}
