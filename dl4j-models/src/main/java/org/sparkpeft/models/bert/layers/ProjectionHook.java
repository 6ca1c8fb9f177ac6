package org.sparkpeft.models.bert.layers;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.sparkpeft.models.bert.DenseRole;

/**
 * A PEFT method's change to the dense projections of a {@link TransformerBlockConf}: the block knows no method by
 * name, it calls the hooks it holds around each dense {@code y = x W + b}. A hook declares its parameters (appended
 * to the block's {@link ParamLayout} after the base ones, and after the hooks before it), initialises them, and
 * computes its forward and backward around the dense it wraps.
 *
 * <p>Composition: the hooks wrapping one role nest in list order, the first innermost (around the plain dense),
 * each later one around the dense as the hooks before it adapted it.
 *
 * <p>Hooks are immutable (records) and serialised with the block configuration as JSON, by class name, so a
 * trained graph round-trips through ModelSerializer; a method that changes a hook's state (LoRA's merge)
 * replaces it in the block ({@link TransformerBlockConf#replaceHook}). The implementations live in the methods'
 * packages ({@code org.sparkpeft.models.peft.<method>}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public interface ProjectionHook {

  /** The dense (with the hooks inside this one) that a hook wraps: x → y. */
  @FunctionalInterface
  interface Inner {
    INDArray forward(INDArray x);
  }

  /** The backward of {@link Inner}: writes its parameter gradients, returns dL/dx. */
  @FunctionalInterface
  interface InnerBackward {
    INDArray backward(INDArray x, INDArray dy);
  }

  /** The block's parameter views and gradient views by name; {@code grad} is null for a frozen parameter. */
  interface Params {
    INDArray param(String name);

    INDArray grad(String name);
  }

  /** Whether this hook wraps the dense of {@code role}. */
  boolean wraps(DenseRole role);

  /** Adds this hook's parameters (and shapes) for {@code block} to {@code layout}. */
  void declare(ParamLayout layout, TransformerBlockConf block);

  /** Fresh values of this hook's parameters, written into the views. */
  void initialize(Map<String, INDArray> views, TransformerBlockConf block);

  /** The report group ("lora", "ia3", ...) of {@code param} when this hook declares it, otherwise null. */
  String paramGroup(String param);

  /** Null, or why a block holding this hook must not train now (e.g. "has its LoRA merged ..."). */
  default String trainingRefusal() {
    return null;
  }

  /**
   * The adapted output for input {@code x} [rows, in] of the dense of {@code role}, computed through {@code inner};
   * what backward needs goes into {@code saved} (the block copies it out of its forward workspace).
   */
  INDArray forward(DenseRole role, INDArray x, Inner inner, Params params, boolean training,
                   Map<String, INDArray> saved);

  /**
   * dL/dx for the same {@code x} given dL/dy, through {@code inner}; writes this hook's parameter gradients (where
   * {@link Params#grad} is not null) from what {@link #forward} saved.
   */
  INDArray backward(DenseRole role, INDArray x, INDArray dy, InnerBackward inner, Params params,
                    Map<String, INDArray> saved);

  /**
   * Whether this hook's parameter gradients around the dense of {@code role} depend on what {@code inner} returns
   * (dL/dx of the dense inside). When no hook around a dense says so and nothing upstream of the block trains, the
   * block skips that dense's input-gradient GEMM and hands the hooks an array of undefined values instead.
   * True unless a hook knows better.
   */
  default boolean needsInnerInputGradient(DenseRole role) {
    return true;
  }
}
