package org.sparkpeft.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The safetensors reader: what it accepts, and each crafted header of issue #19 refused with one sentence. */
class SafetensorsTest {

  private static final String SOURCE = "dir/w.safetensors";

  /** A file: the header length, {@code header} padded with spaces to 8 bytes, then {@code dataBytes} bytes of data. */
  static byte[] file(String header, int dataBytes) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    return withLength(header, dataBytes, padded);
  }

  /** As {@link #file} but with {@code headerLength} written as the header length, whatever the header's size. */
  static byte[] withLength(String header, int dataBytes, long headerLength) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(headerLength).put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    return out.array();
  }

  private static String tensor(String shape, String offsets) {
    return "{\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
  }

  private static String refusal(byte[] bytes) {
    String message = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(bytes, SOURCE)).getMessage();
    assertTrue(message.startsWith(SOURCE), message);
    return message;
  }

  @Test
  void whatItWritesItReadsBack() {
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("a", new Safetensors.Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
    tensors.put("empty", new Safetensors.Tensor(new long[] {0, 7}, new float[0]));
    tensors.put("scalar", new Safetensors.Tensor(new long[] {}, new float[] {42}));
    Safetensors.Contents read = Safetensors.read(Safetensors.write(tensors, Map.of("format", "pt")), SOURCE);
    assertEquals(Map.of("format", "pt"), read.metadata());
    assertEquals(tensors.keySet(), read.tensors().keySet());
    for (String name : tensors.keySet()) {
      assertArrayEquals(tensors.get(name).shape(), read.tensors().get(name).shape(), name);
      assertArrayEquals(tensors.get(name).data(), read.tensors().get(name).data(), name);
    }
    assertEquals(Map.of(), Safetensors.read(file("{}", 0), SOURCE).tensors());
  }

  @Test
  void hugeDataOffsetsAreRefusedBeforeAllocating() {
    long end = Long.MAX_VALUE - 3; // 8 + header + end overflows: the old check let it through to new float[2^31 - 16]
    long begin = end - 4L * 0x7FFFFFF0L;
    String message = refusal(file(tensor("[2147483632]", "[" + begin + "," + end + "]"), 16));
    assertTrue(message.contains("tensor t lies outside the file"), message);
    refusal(file(tensor("[1]", "[0, 4294967300]"), 4));
  }

  @Test
  void aHeaderLengthThatOverflowsIsRefused() {
    assertTrue(refusal(withLength("{}", 0, Long.MAX_VALUE - 3)).contains("not a safetensors file"));
    refusal(withLength("{}", 0, -8));
    refusal(withLength("{}", 0, 0));
    refusal(withLength("{}", 0, 9));
    refusal(new byte[] {1, 0, 0});
  }

  @Test
  void missingOrMalformedDataOffsetsAreRefused() {
    String expected = SOURCE + ": tensor t has data_offsets that are not two byte offsets >= 0";
    assertEquals(expected, refusal(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)));
    for (String offsets : new String[] {"[0]", "[0,4,8]", "[-4,0]", "[0,\"4\"]", "[0,4.0]", "[0,null]", "{}", "4",
        "[0,18446744073709551616]"}) {
      assertEquals(expected, refusal(file(tensor("[1]", offsets), 4)), offsets);
    }
  }

  @Test
  void shapesThatOverflowOrAreNegativeAreRefused() {
    // 2^32 * 2^32 wraps to 0 in a long: the old reader took a 2^64-element tensor with no data
    assertTrue(refusal(file(tensor("[4294967296,4294967296]", "[0,0]"), 0)).contains("shape too large"));
    // (-1) * (-4) = 4: the old reader took a negative shape with 4 values
    refusal(file(tensor("[-1,-4]", "[0,16]"), 16));
    assertEquals(SOURCE + ": tensor t has shape [3] (3 values) but 16 bytes of data",
        refusal(file(tensor("[3]", "[0,16]"), 16)));
    for (String shape : new String[] {"[1.5]", "[\"2\"]", "null", "{}", "[9223372036854775808]"}) {
      assertEquals(SOURCE + ": tensor t has a shape that is not a list of sizes >= 0",
          refusal(file(tensor(shape, "[0,4]"), 4)), shape);
    }
  }

  @Test
  void overlappingHolesAndTrailingBytesAreRefused() {
    String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%s]}}";
    assertTrue(refusal(file(two.formatted("4,12"), 12)).contains("another tensor's data lies"));
    assertTrue(refusal(file(two.formatted("12,20"), 20)).contains("no tensor ends"));
    refusal(file(two.formatted("8,16"), 20));
    assertEquals(2, Safetensors.read(file(two.formatted("8,16"), 16), SOURCE).tensors().size());
  }

  @Test
  void aHeaderThatIsNotAnObjectOfObjectsIsRefused() {
    assertEquals(SOURCE + " has a safetensors header that is not a JSON object", refusal(file("[]", 0)));
    assertTrue(refusal(file("{\"t\":5}", 0)).contains("tensor t is described by NUMBER, not a JSON object"));
    assertTrue(refusal(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"t\":{}}", 4))
        .contains("not valid JSON (Duplicate field 't')"));
    assertTrue(refusal(file("{} {}", 0)).contains("not valid JSON"));
    assertTrue(refusal(file("{\"__metadata__\":[]}", 0)).contains("__metadata__ that is not a JSON object"));
    assertTrue(refusal(file("{\"__metadata__\":{\"k\":1}}", 0)).contains("entry k that is not a string"));
    assertTrue(refusal(file(tensor("[1]", "[0,4]").replace("\"F32\"", "[\"F32\"]"), 4)).contains("only F32"));
    assertTrue(refusal(file(tensor("[1]", "[0,4]").replace("F32", "F16"), 4)).contains("is F16; only F32"));
    assertTrue(refusal(file("{\"t\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0)).contains("5001 levels deep"));
  }
}
