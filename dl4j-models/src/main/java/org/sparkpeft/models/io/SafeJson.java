package org.sparkpeft.models.io;

import java.io.IOException;

import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Reads untrusted JSON (a safetensors header, an adapter_config.json) into a tree: one JSON object, no duplicate
 * keys, nothing after it, nested at most {@link #MAX_DEPTH} levels (this Jackson recurses per level and has no
 * depth limit of its own, so deeper input would overflow the stack). Anything else is an
 * IllegalArgumentException naming the source.
 */
final class SafeJson {

  static final int MAX_DEPTH = 64;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private SafeJson() {}

  /** The JSON object in {@code bytes[offset, offset + length)}; {@code what} names it in errors. */
  static ObjectNode object(byte[] bytes, int offset, int length, String source, String what) {
    int depth = depth(bytes, offset, length);
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(source + " has " + what + " nested " + depth + " levels deep; at most "
          + MAX_DEPTH + " are read");
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes, offset, length);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " has " + what + " that is not valid JSON ("
          + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("") + ")", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " has " + what + " that is not valid JSON (" + e.getMessage() + ")",
          e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(source + " has " + what + " that is not a JSON object");
    }
    return (ObjectNode) node;
  }

  /** The deepest nesting of arrays and objects outside strings (an upper bound where the JSON is malformed). */
  private static int depth(byte[] bytes, int offset, int length) {
    int depth = 0;
    int deepest = 0;
    boolean inString = false;
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        deepest = Math.max(deepest, ++depth);
      } else if (b == '}' || b == ']') {
        depth = Math.max(0, depth - 1);
      }
    }
    return deepest;
  }
}
