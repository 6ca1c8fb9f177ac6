package org.sparkpeft.models.bert.layers;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J workspaces sparkpeft's layers compute in: one for forward passes and one for backward passes, so the
 * many temporaries of a transformer block reuse the same memory every step instead of being allocated and
 * garbage-collected off-heap. Nothing computed inside outlives the pass: results that leave a layer are detached and
 * the forward state backprop needs is copied into {@link KeptArrays}. So every layer of every model can share the
 * same two workspaces, and does: ND4J keeps workspaces per thread until the thread ends, and per-layer (let alone
 * per-model) ids made each thread hold one of them, at its largest size, for every layer of every model it ever ran
 * — gigabytes for a Spark executor's task threads. Shared, a thread holds two, as large as its largest layer needs.
 * Layers never nest their passes, so one pass never reopens a workspace another holds open.
 */
final class LayerWorkspaces {

  static final String FORWARD = "sparkpeft-layer-forward";
  static final String BACKWARD = "sparkpeft-layer-backward";
  /** Whether this thread is inside {@link ReusedActivations#during} (which {@link ReusedActivations#output} uses). */
  static final ThreadLocal<Boolean> REUSED_INFERENCE = ThreadLocal.withInitial(() -> false);

  private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .overallocationLimit(0.2)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  MemoryWorkspace forward() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, FORWARD);
  }

  MemoryWorkspace backward() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, BACKWARD);
  }

  /**
   * Hands a layer's result, computed in one of these workspaces (call it while that is still open), to DL4J: one
   * copy, into DL4J's workspace for {@code type} where the graph has one (memory reused every step), or a detached
   * copy where DL4J keeps that type out of workspaces. Detaching first and letting DL4J copy again would leave an
   * off-heap array per layer and step for the garbage collector.
   */
  static INDArray handOver(LayerWorkspaceMgr mgr, ArrayType type, INDArray result) {
    INDArray out = mgr.leverageTo(type, result);
    return inOurs(out) ? out.detach() : out;
  }

  /**
   * {@link #handOver} of a layer's input gradient: where DL4J keeps gradients out of workspaces (sparkpeft's graphs
   * do), the copy goes into a buffer of {@code buffers} that the next backward pass reuses, not into a fresh array.
   * A fresh native array is zero-filled by libnd4j and its pages fault in anew: per training step (seq 64) the six
   * blocks' gradients were ~18 MB of it (on a VM with ~10 us per first-touched page, ~45 ms). Safe because the layer
   * below consumes the gradient within the same backward pass, before this layer's next one.
   */
  static INDArray handOverGradient(LayerWorkspaceMgr mgr, INDArray result, KeptArrays buffers) {
    if (inOurs(result) && mgr.isScopedOut(ArrayType.ACTIVATION_GRAD)) {
      return buffers.keep("handed.gradient", result); // DL4J's leverageTo would return a fresh detached copy
    }
    return handOver(mgr, ArrayType.ACTIVATION_GRAD, result);
  }

  /**
   * {@link #handOver} of a layer's output: in a training pass, where DL4J keeps activations out of workspaces, into a
   * buffer of {@code buffers} that the layer's next training pass reuses (its ~3 MB per block and step at seq 64 were
   * the other half of the fresh memory above). So a training-mode output stays valid until the layer's next
   * training pass, as with DL4J's own workspaces. Inference outputs are fresh (the frozen-trunk cache keeps them),
   * except inside {@link ReusedActivations#during}, whose callers consume each such output within the pass: there
   * they go into the same buffer (a training step never has an inference pass between its forward and backward).
   */
  static INDArray handOverActivation(LayerWorkspaceMgr mgr, INDArray result, boolean training, KeptArrays buffers) {
    if ((training || REUSED_INFERENCE.get()) && inOurs(result) && mgr.isScopedOut(ArrayType.ACTIVATIONS)) {
      return buffers.keep("handed.activation", result);
    }
    return handOver(mgr, ArrayType.ACTIVATIONS, result);
  }

  /** Whether DL4J keeps input gradients out of workspaces in this pass (sparkpeft's graphs do). */
  static boolean isScopedOut(LayerWorkspaceMgr mgr) {
    return mgr.isScopedOut(ArrayType.ACTIVATION_GRAD);
  }

  private static boolean inOurs(INDArray array) {
    if (!array.isAttached()) {
      return false;
    }
    String id = array.data().getParentWorkspace().getId();
    return FORWARD.equals(id) || BACKWARD.equals(id);
  }
}
