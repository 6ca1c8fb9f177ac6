package org.sparkpeft.models.peft;

/**
 * A parameter's name in Hugging Face PEFT's safetensors layout, as a method declares it for the parameters it
 * creates in a block: relative to the block's module ({@code attention.self.query.lora_A.weight}).
 *
 * @param name the name relative to {@code base_model.model.encoder.layer.N.}
 * @param transposed whether the DL4J array is the transpose of the stored tensor (PyTorch's [out, in] matrices)
 */
public record TensorName(String name, boolean transposed) {
}
