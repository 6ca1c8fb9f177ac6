package org.sparkpeft.models.io;

import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.EmbeddingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.PeftMethod;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.TensorName;

/**
 * Hugging Face PEFT's tensor names for a BERT base ({@code base_model.model.<module>.<param>}), from sparkpeft's
 * DL4J parameter keys ({@code vertex_param}). Matrices are stored in PyTorch's [out, in] layout, so every
 * 2-D weight is transposed on the way out and back.
 *
 * <ul>
 *   <li>base modules (last_n, bitfit): Hugging Face's BertModel names, e.g.
 *       {@code base_model.model.encoder.layer.5.attention.self.query.weight} [out, in], {@code ...query.bias},
 *       {@code ...attention.output.LayerNorm.bias}, {@code base_model.model.embeddings.LayerNorm.bias};</li>
 *   <li>parameters a method creates in the blocks: the name the method declares
 *       ({@link PeftMethod#blockTensorName}), inside {@code base_model.model.encoder.layer.N.}: LoRA's
 *       {@code <module>.lora_A.weight}, IA3's {@code <module>.ia3_l}, the bottleneck adapters'
 *       {@code attention.output.adapter.down.weight}, ...;</li>
 *   <li>the head: {@code base_model.model.classifier.weight} / {@code .bias} (and {@code classifier.dense.*}).</li>
 * </ul>
 *
 * @param name the PEFT tensor name
 * @param transposed whether the DL4J array is the transpose of the stored tensor
 */
public record PeftNames(String name, boolean transposed) {

  private static final String PREFIX = "base_model.model.";

  /** The PEFT name of DL4J parameter {@code vertex_param}. */
  public static PeftNames of(String key) {
    int split = key.lastIndexOf('_');
    if (split < 0) {
      throw new IllegalArgumentException("not a DL4J parameter key: " + key);
    }
    String vertex = key.substring(0, split);
    String param = key.substring(split + 1);
    if (vertex.equals(HeadConfig.OUTPUT) || vertex.equals(HeadConfig.HIDDEN)) {
      return param.equals("W") ? new PeftNames(PREFIX + vertex + ".weight", true)
          : new PeftNames(PREFIX + vertex + ".bias", false);
    }
    if (vertex.equals(EmbeddingConf.NAME)) {
      return switch (param) {
        case EmbeddingConf.WORD -> new PeftNames(PREFIX + "embeddings.word_embeddings.weight", false);
        case EmbeddingConf.POSITION -> new PeftNames(PREFIX + "embeddings.position_embeddings.weight", false);
        case EmbeddingConf.TOKEN_TYPE -> new PeftNames(PREFIX + "embeddings.token_type_embeddings.weight", false);
        case EmbeddingConf.LN_GAMMA -> new PeftNames(PREFIX + "embeddings.LayerNorm.weight", false);
        case EmbeddingConf.LN_BETA -> new PeftNames(PREFIX + "embeddings.LayerNorm.bias", false);
        default -> throw new IllegalArgumentException("unknown embedding parameter " + key);
      };
    }
    if (vertex.startsWith("encoder.layer.")) {
      String block = PREFIX + vertex + ".";
      switch (param) {
        case TransformerBlockConf.ATTENTION_LN_GAMMA:
          return new PeftNames(block + "attention.output.LayerNorm.weight", false);
        case TransformerBlockConf.ATTENTION_LN_BETA:
          return new PeftNames(block + "attention.output.LayerNorm.bias", false);
        case TransformerBlockConf.OUTPUT_LN_GAMMA:
          return new PeftNames(block + "output.LayerNorm.weight", false);
        case TransformerBlockConf.OUTPUT_LN_BETA:
          return new PeftNames(block + "output.LayerNorm.bias", false);
        default:
          break;
      }
      for (DenseRole role : DenseRole.values()) {
        String module = block + role.modulePath();
        if (param.equals(TransformerBlockConf.weight(role))) {
          return new PeftNames(module + ".weight", true);
        }
        if (param.equals(TransformerBlockConf.bias(role))) {
          return new PeftNames(module + ".bias", false);
        }
      }
      for (PeftMethod<?> method : PeftMethods.all()) {
        TensorName name = method.blockTensorName(param);
        if (name != null) {
          return new PeftNames(block + name.name(), name.transposed());
        }
      }
    }
    throw new IllegalArgumentException("no PEFT name for parameter " + key);
  }
}
