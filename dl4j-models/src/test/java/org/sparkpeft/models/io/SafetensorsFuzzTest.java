package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz of the safetensors reader: truncations at every length, random bit and byte flips, and random
 * headers from a small grammar with hostile numbers. Each input either parses to a consistent result (every
 * tensor's values fill its shape, the tensors fill the data section, and writing them back reads back the same) or
 * is refused with an IllegalArgumentException whose message is one line naming the file; anything else (an
 * OutOfMemoryError, a NullPointerException, an ArithmeticException, an index or number format exception, a Jackson
 * exception, a StackOverflowError) fails the test.
 */
class SafetensorsFuzzTest {

  private static final String SOURCE = "fuzz/adapter_model.safetensors";

  private static final String[] NUMBERS = {"0", "1", "2", "4", "8", "-1", "-4", "2147483647", "2147483648",
      "4294967296", "4294967300", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
      "18446744073709551616", "123456789012345678901234567890", "1e308", "-1e308", "1e-400", "1.5", "4.0", "0.0",
      "\"4\"", "null", "true", "[]", "{}"};
  private static final String[] NAMES = {"a", "b", "t", "__metadata__", "", "é", "x\\\"y", "a"};
  private static final String[] DTYPES = {"\"F32\"", "\"F32\"", "\"F32\"", "\"F16\"", "\"f32\"", "32", "null", "[]",
      "{\"F32\":1}"};

  private int parsed;
  private int refused;

  @Test
  void truncationsAtEveryLengthAreRefusedWithOneSentence() {
    byte[] file = sample();
    for (int length = 0; length < file.length; length++) {
      byte[] truncated = Arrays.copyOf(file, length);
      check(truncated, "truncated to " + length);
    }
    assertEquals(0, parsed, "no strict prefix of a safetensors file is one");
  }

  @Test
  void bitAndByteFlipsParseConsistentlyOrAreRefusedWithOneSentence() {
    byte[] file = sample();
    int headerEnd = 8 + (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
    byte[] interesting = {'{', '}', '[', ']', '"', '\\', ',', ':', '-', '0', '9', 'e', ' ', 0, (byte) 0xFF,
        (byte) 0xC3};
    Random random = new Random(1919);
    for (int i = 0; i < 8000; i++) {
      byte[] mutated = file.clone();
      StringBuilder what = new StringBuilder("case " + i + ":");
      for (int m = 0; m <= random.nextInt(4); m++) {
        int pos = random.nextInt(4) > 0 ? random.nextInt(headerEnd) : random.nextInt(mutated.length);
        if (random.nextBoolean()) {
          int bit = random.nextInt(8);
          mutated[pos] ^= (byte) (1 << bit);
          what.append(" bit ").append(bit).append(" of byte ").append(pos);
        } else {
          mutated[pos] = interesting[random.nextInt(interesting.length)];
          what.append(" byte ").append(pos).append(" = ").append(mutated[pos]);
        }
      }
      check(mutated, what.toString());
    }
    assertTrue(parsed > 500 && refused > 4000, "parsed " + parsed + ", refused " + refused);
  }

  @Test
  void randomHeadersWithHostileNumbersParseConsistentlyOrAreRefusedWithOneSentence() {
    Random random = new Random(4242);
    for (int i = 0; i < 12000; i++) {
      int[] dataBytes = {0};
      String header = header(random, dataBytes);
      int data = random.nextInt(10) < 6 ? dataBytes[0]
          : random.nextBoolean() ? random.nextInt(64) : Math.max(0, dataBytes[0] + random.nextInt(9) - 4);
      byte[] file = SafetensorsTest.file(header, data);
      if (random.nextInt(10) == 0) {
        long[] lengths = {0, 1, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7, 1L << 31, 1L << 32,
            file.length - 8L, file.length - 7L, (1L << 32) + file.length - 8, random.nextLong()};
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(lengths[random.nextInt(lengths.length)]);
      }
      check(file, "case " + i + ": header " + header + ", " + data + " data bytes");
    }
    assertTrue(parsed > 1000 && refused > 5000, "parsed " + parsed + ", refused " + refused);
  }

  /** A header from the grammar; {@code dataBytes[0]} gets the data size its consistent offsets add up to. */
  private static String header(Random random, int[] dataBytes) {
    if (random.nextInt(20) == 0) {
      String[] other = {"[]", "5", "\"x\"", "null", "[{}]", "{", "}", "", "{\"a\":{}}}"};
      return other[random.nextInt(other.length)];
    }
    if (random.nextInt(30) == 0) {
      int[] depths = {10, 62, 63, 64, 65, 1000, 20000};
      int depth = depths[random.nextInt(depths.length)];
      return "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }
    StringBuilder out = new StringBuilder("{");
    int entries = random.nextInt(5);
    for (int e = 0; e < entries; e++) {
      if (e > 0) {
        out.append(',');
      }
      String name = NAMES[random.nextInt(NAMES.length)];
      out.append('"').append(name).append("\":");
      if (name.equals("__metadata__") && random.nextInt(4) > 0) {
        out.append(random.nextBoolean() ? "{\"format\":\"pt\"}" : "{\"k\":" + pick(random, NUMBERS) + "}");
      } else if (random.nextInt(10) == 0) {
        out.append(pick(random, NUMBERS));
      } else {
        out.append(entry(random, dataBytes));
      }
    }
    return out.append('}').toString();
  }

  private static String entry(Random random, int[] dataBytes) {
    StringBuilder out = new StringBuilder("{");
    if (random.nextInt(10) > 0) {
      out.append("\"dtype\":").append(pick(random, DTYPES)).append(',');
    }
    long elements = 1;
    if (random.nextInt(10) > 0) {
      out.append("\"shape\":[");
      int rank = random.nextInt(4);
      for (int d = 0; d < rank; d++) {
        if (d > 0) {
          out.append(',');
        }
        if (random.nextInt(10) < 8) {
          int size = random.nextInt(4);
          elements *= size;
          out.append(size);
        } else {
          out.append(pick(random, NUMBERS));
        }
      }
      out.append("],");
    }
    out.append("\"data_offsets\":");
    if (random.nextInt(10) < 7) {
      long begin = dataBytes[0];
      long end = begin + 4 * elements;
      dataBytes[0] = (int) end;
      out.append('[').append(begin).append(',').append(end).append(']');
    } else {
      out.append('[');
      int n = random.nextInt(4);
      for (int k = 0; k < n; k++) {
        out.append(k > 0 ? "," : "").append(pick(random, NUMBERS));
      }
      out.append(']');
    }
    return out.append('}').toString();
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  /** A small valid file: three tensors (one empty, one scalar) and metadata. */
  private static byte[] sample() {
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("base_model.model.classifier.weight", new Safetensors.Tensor(new long[] {2, 3},
        new float[] {1, -2, 3.5f, 0, 1e-3f, 7}));
    tensors.put("empty", new Safetensors.Tensor(new long[] {0, 4}, new float[0]));
    tensors.put("s", new Safetensors.Tensor(new long[] {}, new float[] {42}));
    return Safetensors.write(tensors, Map.of("format", "pt"));
  }

  private void check(byte[] bytes, String what) {
    Safetensors.Contents contents;
    try {
      contents = Safetensors.read(bytes, SOURCE);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().startsWith(SOURCE) || e.getMessage().contains("\n")) {
        fail(what + ": not one line naming the file: " + e.getMessage(), e);
      }
      refused++;
      return;
    } catch (Throwable t) {
      fail(what + ": threw " + t, t);
      return;
    }
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    long values = 0;
    for (Map.Entry<String, Safetensors.Tensor> e : contents.tensors().entrySet()) {
      assertEquals(Safetensors.elements(e.getValue().shape()), e.getValue().data().length, what + " " + e.getKey());
      values += e.getValue().data().length;
    }
    assertEquals(bytes.length - 8 - headerLength, 4 * values, what + ": the tensors fill the data section");
    Safetensors.Contents again = Safetensors.read(Safetensors.write(contents.tensors(), contents.metadata()), SOURCE);
    assertEquals(contents.tensors().keySet(), again.tensors().keySet(), what);
    assertEquals(contents.metadata(), again.metadata(), what);
    for (String name : contents.tensors().keySet()) {
      assertArrayEquals(contents.tensors().get(name).shape(), again.tensors().get(name).shape(), what + " " + name);
      assertArrayEquals(contents.tensors().get(name).data(), again.tensors().get(name).data(), what + " " + name);
    }
    parsed++;
  }
}
