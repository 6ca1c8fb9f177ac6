package org.sparkpeft.models.peft.adapter;

import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.ParamLayout;
import org.sparkpeft.models.bert.layers.ProjectionHook;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/**
 * Houlsby bottleneck adapters in a BERT block: on the output of the attention output projection
 * ({@code attentionAdapter.*}) and of the FFN output projection ({@code outputAdapter.*}), before each residual +
 * LayerNorm: {@code h + up(act(down(h)))}, {@code down.W} [hidden, size], {@code down.b}, {@code up.W}
 * [size, hidden], {@code up.b}; down is N(0, 0.01²), up is zero, so a new adapter (with its residual) is the
 * identity. Being the outermost hook of those projections, it adapts their output as the other hooks left it.
 *
 * @param size bottleneck width (>= 1)
 * @param activation the bottleneck's non-linearity
 * @param residual whether the adapter adds its input to its output
 */
public record AdapterHook(int size, AdapterActivation activation, boolean residual) implements ProjectionHook {

  /** Where the bottleneck adapters sit: after the attention output projection and after the FFN output. */
  public static final String ATTENTION_ADAPTER = "attentionAdapter";
  public static final String OUTPUT_ADAPTER = "outputAdapter";
  public static final List<String> SITES = List.of(ATTENTION_ADAPTER, OUTPUT_ADAPTER);

  public AdapterHook {
    if (size < 1) {
      throw new IllegalArgumentException("adapter size must be >= 1, got " + size);
    }
    if (activation == null) {
      throw new IllegalArgumentException("an adapter activation is required");
    }
  }

  /** The parameter names of the adapter at {@code site} ({@link #ATTENTION_ADAPTER} or {@link #OUTPUT_ADAPTER}). */
  public static List<String> params(String site) {
    return BottleneckAdapter.Params.at(site).names();
  }

  /** The site of the adapter on the output of {@code role}, or null. */
  private static String site(DenseRole role) {
    return switch (role) {
      case ATTENTION_OUTPUT -> ATTENTION_ADAPTER;
      case OUTPUT -> OUTPUT_ADAPTER;
      default -> null;
    };
  }

  @Override
  public boolean wraps(DenseRole role) {
    return site(role) != null;
  }

  @Override
  public void declare(ParamLayout layout, TransformerBlockConf block) {
    SITES.forEach(site -> BottleneckAdapter.Params.at(site).addTo(layout, block.getHidden(), size));
  }

  @Override
  public void initialize(Map<String, INDArray> views, TransformerBlockConf block) {
    SITES.forEach(site -> BottleneckAdapter.Params.at(site).initialize(views));
  }

  @Override
  public String paramGroup(String param) {
    return SITES.stream().anyMatch(site -> params(site).contains(param)) ? "adapter" : null;
  }

  @Override
  public INDArray forward(DenseRole role, INDArray x, Inner inner, Params params, boolean training,
                          Map<String, INDArray> saved) {
    return BottleneckAdapter.forward(inner.forward(x), BottleneckAdapter.Params.at(site(role)), params, activation,
        residual, saved);
  }

  /** The adapter sits after the dense: its gradients come from dy; the dense's input gradient only passes through. */
  @Override
  public boolean needsInnerInputGradient(DenseRole role) {
    return false;
  }

  @Override
  public INDArray backward(DenseRole role, INDArray x, INDArray dy, InnerBackward inner, Params params,
                           Map<String, INDArray> saved) {
    return inner.backward(x, BottleneckAdapter.backward(saved, dy, BottleneckAdapter.Params.at(site(role)), params,
        activation, residual));
  }
}
