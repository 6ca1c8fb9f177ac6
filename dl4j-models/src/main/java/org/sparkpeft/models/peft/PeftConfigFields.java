package org.sparkpeft.models.peft;

import java.util.Set;

import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.bert.DenseRole;

/** Field values of adapter_config.json that several methods write the same way (PEFT's conventions). */
public final class PeftConfigFields {

  private PeftConfigFields() {}

  /**
   * {@code target_modules}-style PEFT module-name suffixes: query, key, value, attention.output.dense,
   * intermediate.dense, output.dense.
   */
  public static void modules(ArrayNode out, Set<DenseRole> roles) {
    roles.forEach(role -> out.add(role == DenseRole.QUERY || role == DenseRole.KEY || role == DenseRole.VALUE
        ? role.configName() : role.modulePath()));
  }

  /** {@code layers_to_transform}: null for every block, else the indices. */
  public static void layers(ObjectNode json, Set<Integer> layers) {
    if (layers.isEmpty()) {
      json.putNull("layers_to_transform");
    } else {
      layers.forEach(json.withArray("layers_to_transform")::add);
    }
  }
}
