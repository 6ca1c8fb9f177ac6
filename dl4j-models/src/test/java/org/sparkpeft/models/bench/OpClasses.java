package org.sparkpeft.models.bench;

import java.util.List;
import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The op classes of the per-op breakdown, shared by both sides of the table (the PyTorch script maps aten ops to
 * the same names), and the rule that gives a DL4J op its class: matrix products by operand shape (4-D: attention's
 * batched products; a LoRA rank dimension: LoRA; otherwise the frozen dense), the rest by the innermost sparkpeft or
 * DL4J/ND4J method on the calling stack.
 */
final class OpClasses {

  static final String GEMM = "GEMM dense";
  static final String LORA = "GEMM LoRA (r=8)";
  static final String ATTENTION = "attention batched products";
  static final String SOFTMAX = "softmax";
  static final String LAYER_NORM = "LayerNorm";
  static final String GELU = "GELU";
  static final String DROPOUT = "dropout masks";
  static final String ELEMENTWISE = "elementwise (bias/residual/scale)";
  static final String COPIES = "copies/layout";
  static final String EDGES = "embeddings/pooling/head/loss";
  static final String UPDATER = "Adam/updater";
  static final String OTHER = "other ops";
  static final String OVERHEAD = "per-step overhead (outside ops)";

  /** Table order. */
  static final List<String> ORDER = List.of(GEMM, LORA, ATTENTION, SOFTMAX, LAYER_NORM, GELU, DROPOUT, ELEMENTWISE,
      COPIES, EDGES, UPDATER, OTHER, OVERHEAD);

  static final int LORA_RANK = 8;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private OpClasses() {}

  /** With {@code -Dsparkpeft.bench.breakdown.detail=true} each class is split by ND4J op name ("LayerNorm · mul"). */
  private static final boolean DETAIL = Boolean.getBoolean("sparkpeft.bench.breakdown.detail");

  static String of(String opName, List<INDArray> inputs, boolean random) {
    String cls = classOf(opName, inputs, random);
    return DETAIL ? cls + " · " + opName + " · " + caller() + " " + shape(inputs) : cls;
  }

  /** The innermost sparkpeft frame below the bench ("Class.method:line"), for the detailed breakdown. */
  private static String caller() {
    return WALKER.walk(frames -> frames.filter(f -> f.getClassName().startsWith("org.sparkpeft.models.")
            && !f.getClassName().contains(".bench."))
        .findFirst().map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
            + f.getMethodName() + ":" + f.getLineNumber()).orElse("-"));
  }

  private static String shape(List<INDArray> inputs) {
    return inputs.isEmpty() || inputs.get(0) == null ? "[]" : java.util.Arrays.toString(inputs.get(0).shape());
  }

  private static String classOf(String opName, List<INDArray> inputs, boolean random) {
    if (opName != null && (opName.contains("matmul") || opName.contains("mmul") || opName.equals("gemm"))) {
      if (inputs.stream().anyMatch(a -> a != null && a.rank() > 2)) {
        return ATTENTION;
      }
      boolean lora = inputs.stream().anyMatch(a -> a != null && a.rank() == 2
          && (a.size(0) == LORA_RANK || a.size(1) == LORA_RANK));
      if (lora) {
        return LORA;
      }
      return fromStack(true); // the encoder's projections, or the head's, the updater's, ... product
    }
    String byStack = fromStack(false);
    if (random && byStack.equals(ELEMENTWISE)) {
      return DROPOUT;
    }
    boolean copy = opName != null && (opName.equals("assign") || opName.contains("copy"));
    if (copy && (byStack.equals(ELEMENTWISE) || byStack.equals(OTHER))) {
      return COPIES;
    }
    return byStack;
  }

  /** The class of a Java kernel reported by {@link org.sparkpeft.models.bert.layers.KernelClock}. */
  static String ofKernel(String kernel) {
    String cls = switch (kernel) {
      case "layerNorm", "layerNormBackward" -> LAYER_NORM;
      case "gelu", "geluValue", "geluBackward" -> GELU;
      case "softmaxBackwardInPlace" -> SOFTMAX;
      case "batchedGemm" -> ATTENTION;
      default -> OTHER;
    };
    return DETAIL ? cls + " · java " + kernel : cls;
  }

  /** The class of the innermost frame that decides one (or {@link #OTHER}). */
  private static String fromStack(boolean matmul) {
    Optional<String> found = WALKER.walk(frames -> frames.map(f -> frame(f.getClassName(), f.getMethodName(), matmul))
        .filter(c -> c != null).findFirst());
    return found.orElse(OTHER);
  }

  private static String frame(String cls, String method, boolean matmul) {
    if (cls.startsWith("org.nd4j.linalg.learning.") || cls.startsWith("org.deeplearning4j.nn.updater.")) {
      return UPDATER;
    }
    if (cls.endsWith("bert.layers.TensorMath")) {
      switch (method) {
        case "layerNorm", "layerNormBackward" -> {
          return LAYER_NORM;
        }
        case "gelu", "geluValue", "geluBackward", "geluOps", "erf", "tanh" -> {
          return GELU;
        }
        case "softmaxLastAxis", "softmaxBackwardInPlace", "keyMaskBias" -> {
          return SOFTMAX;
        }
        case "splitHeads", "mergeHeads" -> {
          return COPIES;
        }
        default -> {
          return null; // mm, linear, linearParamGrads: the caller decides
        }
      }
    }
    if (cls.endsWith("layers.KeptArrays") || cls.endsWith("layers.LayerWorkspaces")) {
      return COPIES;
    }
    if (cls.endsWith("layers.TransformerBlockLayer") || cls.startsWith("org.sparkpeft.models.peft.")) {
      if (matmul) {
        return GEMM;
      }
      return method.equals("keep") ? COPIES : ELEMENTWISE;
    }
    if (cls.endsWith("layers.EmbeddingLayer") || cls.endsWith("layers.PoolingLayer")
        || cls.startsWith("org.deeplearning4j.nn.layers.") || cls.startsWith("org.nd4j.linalg.lossfunctions.")) {
      return EDGES;
    }
    return null;
  }
}
