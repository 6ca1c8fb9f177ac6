package org.sparkpeft.models.bert.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class KeptArraysTest {

  private final LayerWorkspaces workspaces = new LayerWorkspaces();

  /** What a layer does: compute in the shared workspace, keep the result, leave; the next pass reuses the memory. */
  private INDArray keepFromWorkspace(KeptArrays kept, long rows, float base) {
    try (MemoryWorkspace ignored = workspaces.forward()) {
      INDArray computed = Nd4j.arange(base, base + rows * 4).castTo(DataType.FLOAT).reshape('c', rows, 4);
      return kept.keep("x", computed);
    }
  }

  @Test
  void keptArraysSurviveTheWorkspaceAndSmallerShapesReuseTheBuffer() {
    KeptArrays kept = new KeptArrays();
    INDArray first = keepFromWorkspace(kept, 3, 0);
    try (MemoryWorkspace ignored = workspaces.forward()) {
      Nd4j.create(DataType.FLOAT, 3, 4).assign(-1); // overwrites what the workspace held
    }
    assertFalse(first.isAttached());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, first.data().asFloat(), 0f);

    INDArray smaller = keepFromWorkspace(kept, 2, 100);
    assertArrayEquals(new long[] {2, 4}, smaller.shape());
    assertEquals(104f, smaller.getFloat(1, 0), 0f);
    assertEquals(104f, first.getFloat(1, 0), 0f, "a smaller array is written into the same buffer, not a new one");
    assertFalse(smaller.isAttached());

    INDArray larger = keepFromWorkspace(kept, 5, 200);
    assertArrayEquals(new long[] {5, 4}, larger.shape());
    assertEquals(219f, larger.getFloat(4, 3), 0f);
    assertFalse(larger.isAttached());
    assertEquals(219f, keepFromWorkspace(kept, 5, 200).getFloat(4, 3), 0f);
  }

  @Test
  void anArrayComputedIntoItsSlotIsKeptWithoutACopyAndAnyOtherArrayIsCopied() {
    KeptArrays kept = new KeptArrays();
    INDArray slot;
    INDArray result;
    try (MemoryWorkspace ignored = workspaces.forward()) {
      slot = kept.slot("probs", DataType.FLOAT, 2, 3);
      assertFalse(slot.isAttached(), "a slot outlives the workspace");
      INDArray a = Nd4j.arange(0, 6).castTo(DataType.FLOAT).reshape('c', 2, 3);
      result = TensorMath.mm(a, Nd4j.eye(3).castTo(DataType.FLOAT), false, false, slot);
    }
    assertSame(slot, result, "the product is written into the slot");
    assertSame(slot, kept.keep("probs", result), "keeping the slot itself copies nothing");
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, kept.keep("probs", result).data().asFloat(), 0f);

    INDArray other = Nd4j.ones(DataType.FLOAT, 2, 3);
    INDArray copy = kept.keep("probs", other);
    assertNotSame(other, copy);
    assertEquals(1f, copy.getFloat(1, 2), 0f);
    assertEquals(1f, slot.getFloat(1, 2), 0f, "the copy goes into the same buffer");
    INDArray twice = kept.keep("probs", copy);
    assertNotSame(copy, twice, "once copied into, the name is no longer a slot: keep copies again");
  }
}
