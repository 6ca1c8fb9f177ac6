package org.sparkpeft.models.nativebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's backend lookup runs {@link MallocSettings#apply()}, after which glibc hands every large array its own
 * mapping: an 8 MiB block allocated right after another was freed is still mapped (with glibc's defaults that free
 * raises the mmap threshold to 8 MiB and the second block comes from an arena, where its memory stays once freed).
 */
class MallocSettingsTest {

  private static final NativeLibrary LIBC = NativeLibrary.getInstance("c");

  /** glibc's struct mallinfo2 (2.33+): hblkhd is the bytes held in mmapped blocks. */
  public static class MallInfo2 extends Structure implements Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;

    @Override
    protected List<String> getFieldOrder() {
      return List.of("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
          "keepcost");
    }
  }

  @Test
  void aLargeBlockIsMappedEvenAfterALargeFreeOnceNd4jIsUp() {
    assertEquals(6.0, Nd4j.createFromArray(1f, 2f, 3f).sumNumber().doubleValue(), 0.0);
    String described = MallocSettings.describe();
    assertNotNull(described, "the backend lookup ran apply()");
    if (System.getenv("GLIBC_TUNABLES") == null && System.getenv(MallocSettings.THRESHOLD_VARIABLE) == null) {
      assertTrue(described.contains("mmap threshold 128 KiB"), described);
    }
    long size = 8L << 20;
    boolean mapped = false;
    // another thread (ND4J's deallocator) may unmap a block between the two readings: a few tries
    for (int attempt = 0; attempt < 3 && !mapped; attempt++) {
      free(malloc(size)); // glibc's default: the threshold rises to this block's size
      long before = mappedBytes();
      Pointer second = malloc(size);
      long after = mappedBytes();
      free(second);
      mapped = after - before >= size;
    }
    assertTrue(mapped, "an 8 MiB block after an 8 MiB free should be its own mapping: " + described);
    assertEquals(described, MallocSettings.apply(), "a second call changes nothing");
  }

  private static Pointer malloc(long bytes) {
    Pointer p = (Pointer) LIBC.getFunction("malloc").invoke(Pointer.class, new Object[] {bytes});
    assertNotNull(p);
    p.setByte(0, (byte) 1); // touch it
    return p;
  }

  private static void free(Pointer p) {
    LIBC.getFunction("free").invoke(Void.class, new Object[] {p});
  }

  private static long mappedBytes() {
    Function mallinfo2 = LIBC.getFunction("mallinfo2");
    return ((MallInfo2) mallinfo2.invoke(MallInfo2.class, new Object[0])).hblkhd;
  }
}
