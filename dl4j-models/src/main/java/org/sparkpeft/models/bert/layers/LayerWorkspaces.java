package org.sparkpeft.models.bert.layers;

import java.util.UUID;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each layer instance computes its forward pass in one ND4J workspace and its backward pass in another, so the
 * many temporaries of a transformer block reuse the same memory every step instead of being allocated and
 * garbage-collected off-heap. A forward workspace is reset only when the same layer's next forward pass opens
 * it, so the forward state that backprop needs stays valid until then. Results that leave a layer are detached.
 */
final class LayerWorkspaces {

  private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .overallocationLimit(0.2)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private final String forwardId;
  private final String backwardId;

  LayerWorkspaces() {
    String id = "sparkpeft-" + UUID.randomUUID();
    this.forwardId = id + "-fwd";
    this.backwardId = id + "-bwd";
  }

  MemoryWorkspace forward() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, forwardId);
  }

  MemoryWorkspace backward() {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, backwardId);
  }
}
