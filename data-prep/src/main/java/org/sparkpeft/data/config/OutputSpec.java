package org.sparkpeft.data.config;

import java.io.Serializable;

import org.sparkpeft.data.DataPrepException;

/**
 * Where the shards go. An existing output is refused unless {@code overwrite}.
 */
public record OutputSpec(String path, boolean overwrite) implements Serializable {

  public OutputSpec {
    if (path == null || path.isBlank()) {
      throw new DataPrepException("output.path (--output) is required.");
    }
  }
}
