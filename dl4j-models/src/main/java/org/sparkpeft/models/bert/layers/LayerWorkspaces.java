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
    if (out.isAttached()) {
      String id = out.data().getParentWorkspace().getId();
      if (FORWARD.equals(id) || BACKWARD.equals(id)) {
        out = out.detach();
      }
    }
    return out;
  }
}
