package org.sparkpeft.models.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
  /** The format's limit on the header (as in the reference implementation). */
  static final long MAX_HEADER = 100_000_000;

  /** A row-major float32 tensor. */
  public record Tensor(long[] shape, float[] data) {
    public Tensor {
      long n = elements(shape);
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

  /**
   * Parses a file; every header field is checked against the file's size before anything is allocated, and any
   * inconsistency (truncation, offsets, dtype, shape, holes or overlaps between tensors) is an
   * IllegalArgumentException: one sentence naming {@code source}.
   */
  public static Contents read(byte[] bytes, String source) {
    if (bytes.length < 8) {
      throw new IllegalArgumentException(source + " is truncated (" + bytes.length + " bytes)");
    }
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 2 || headerLength > bytes.length - 8L || headerLength > MAX_HEADER) {
      throw new IllegalArgumentException(source + " is truncated or not a safetensors file (header of "
          + Long.toUnsignedString(headerLength) + " bytes in a " + bytes.length + "-byte file)");
    }
    int dataStart = 8 + (int) headerLength;
    long dataLength = bytes.length - dataStart;
    ObjectNode header = SafeJson.object(bytes, 8, (int) headerLength, source, "a safetensors header");
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equals(METADATA)) {
        metadata(field.getValue(), source, metadata);
      } else {
        entries.add(entry(field.getKey(), field.getValue(), dataLength, source));
      }
    }
    checkLayout(entries, dataLength, source);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Entry e : entries) {
      float[] data = new float[(int) ((e.end() - e.begin()) / 4)];
      ByteBuffer.wrap(bytes, dataStart + (int) e.begin(), data.length * 4).order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer().get(data);
      tensors.put(e.name(), new Tensor(e.shape(), data));
    }
    return new Contents(tensors, metadata);
  }

  /** Elements of a tensor of {@code shape}; IllegalArgumentException for a negative size or a long overflow. */
  static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative size");
      }
      if (d == 0) {
        return 0;
      }
    }
    try {
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than " + Long.MAX_VALUE
          + " elements", e);
    }
    return n;
  }

  /** One validated header entry: its data lies in [begin, end) of the data section. */
  private record Entry(String name, long[] shape, long begin, long end) {}

  private static void metadata(JsonNode node, String source, Map<String, String> out) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(source + " has a " + METADATA + " that is not a JSON object");
    }
    node.fields().forEachRemaining(m -> {
      if (!m.getValue().isTextual()) {
        throw new IllegalArgumentException(source + " has " + METADATA + " entry " + m.getKey()
            + " that is not a string");
      }
      out.put(m.getKey(), m.getValue().textValue());
    });
  }

  private static Entry entry(String name, JsonNode node, long dataLength, String source) {
    String tensor = source + ": tensor " + name;
    if (!node.isObject()) {
      throw new IllegalArgumentException(tensor + " is described by " + node.getNodeType() + ", not a JSON object");
    }
    JsonNode dtype = node.path("dtype");
    if (!dtype.isTextual() || !dtype.textValue().equals("F32")) {
      throw new IllegalArgumentException(tensor + " is " + (dtype.isTextual() ? dtype.textValue() : "of dtype "
          + dtype) + "; only F32 is supported");
    }
    long[] shape = longs(node.path("shape"), -1, tensor + " has a shape that is not a list of sizes >= 0");
    long[] offsets = longs(node.path("data_offsets"), 2,
        tensor + " has data_offsets that are not two byte offsets >= 0");
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin || end > dataLength) {
      throw new IllegalArgumentException(source + " is truncated or corrupt: tensor " + name + " lies outside the file"
          + " (bytes " + begin + " to " + end + " of a " + dataLength + "-byte data section)");
    }
    long elements;
    try {
      elements = elements(shape);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(tensor + " has a shape too large to hold (" + Arrays.toString(shape) + ")",
          e);
    }
    if (elements > (end - begin) / 4 || elements * 4 != end - begin) {
      throw new IllegalArgumentException(tensor + " has shape " + Arrays.toString(shape) + " (" + elements
          + " values) but " + (end - begin) + " bytes of data");
    }
    return new Entry(name, shape, begin, end);
  }

  /** A JSON array of {@code size} (or, with -1, any number of) integers >= 0 that fit a long. */
  private static long[] longs(JsonNode node, int size, String error) {
    if (!node.isArray() || (size >= 0 && node.size() != size)) {
      throw new IllegalArgumentException(error);
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode n = node.get(i);
      if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
        throw new IllegalArgumentException(error);
      }
      out[i] = n.longValue();
    }
    return out;
  }

  /** As the safetensors format requires: the tensors' data fill the data section exactly, without holes or overlaps. */
  private static void checkLayout(List<Entry> entries, long dataLength, String source) {
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long next = 0;
    for (Entry e : byOffset) {
      if (e.begin() != next) {
        throw new IllegalArgumentException(source + " is corrupt: tensor " + e.name() + " starts at byte " + e.begin()
            + " of the data section, where " + (e.begin() < next ? "another tensor's data lies" : "no tensor ends"));
      }
      next = e.end();
    }
    if (next != dataLength) {
      throw new IllegalArgumentException(source + " is truncated or corrupt: its tensors hold " + next + " bytes but "
          + "its data section has " + dataLength);
    }
  }

}
