package org.sparkpeft.models.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The safetensors format (float32 tensors only): an 8-byte little-endian header length, a JSON header
 * {@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}} padded
 * with spaces to 8 bytes, then the little-endian data. Readable by Python's {@code safetensors}.
 */
public final class Safetensors {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "__metadata__";

  /** A row-major float32 tensor. */
  public record Tensor(long[] shape, float[] data) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
            + data.length);
      }
    }
  }

  /** What a file holds. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  private Safetensors() {}

  public static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA);
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", "F32");
      var shape = entry.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long bytes = 4L * e.getValue().data().length;
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : tensors.values()) {
      for (float v : t.data()) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  /** Parses a file; any inconsistency (truncation, offsets, dtype) is an IllegalArgumentException saying what. */
  public static Contents read(byte[] bytes, String source) {
    if (bytes.length < 8) {
      throw new IllegalArgumentException(source + " is truncated (" + bytes.length + " bytes)");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = in.getLong();
    if (headerLength <= 0 || 8 + headerLength > bytes.length) {
      throw new IllegalArgumentException(source + " is truncated or not a safetensors file (header of "
          + headerLength + " bytes in a " + bytes.length + "-byte file)");
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " has an unreadable safetensors header: " + e.getMessage(), e);
    }
    long dataStart = 8 + headerLength;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equals(METADATA)) {
        field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      JsonNode entry = field.getValue();
      if (!"F32".equals(entry.path("dtype").asText())) {
        throw new IllegalArgumentException(source + ": tensor " + field.getKey() + " is "
            + entry.path("dtype").asText() + "; only F32 is supported");
      }
      long[] shape = new long[entry.path("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = entry.path("shape").get(i).asLong();
      }
      long begin = entry.path("data_offsets").get(0).asLong();
      long end = entry.path("data_offsets").get(1).asLong();
      if (begin < 0 || end < begin || dataStart + end > bytes.length || (end - begin) % 4 != 0) {
        throw new IllegalArgumentException(source + " is truncated or corrupt: tensor " + field.getKey()
            + " lies outside the file");
      }
      float[] data = new float[(int) ((end - begin) / 4)];
      ByteBuffer slice = ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin))
          .order(ByteOrder.LITTLE_ENDIAN);
      slice.asFloatBuffer().get(data);
      tensors.put(field.getKey(), new Tensor(shape, data));
    }
    return new Contents(tensors, metadata);
  }

}
