package org.sparkpeft.models.io;

import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.EmbeddingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.ia3.Ia3Hook;
import org.sparkpeft.models.peft.lora.LoraHook;

/**
 * Hugging Face PEFT's tensor names for a BERT base ({@code base_model.model.<module>.<param>}), from sparkpeft's
 * DL4J parameter keys ({@code vertex_param}). Matrices are stored in PyTorch's [out, in] layout, so every
 * 2-D weight is transposed on the way out and back.
 *
 * <ul>
 *   <li>base modules (last_n, bitfit): Hugging Face's BertModel names, e.g.
 *       {@code base_model.model.encoder.layer.5.attention.self.query.weight} [out, in], {@code ...query.bias},
 *       {@code ...attention.output.LayerNorm.bias}, {@code base_model.model.embeddings.LayerNorm.bias};</li>
 *   <li>LoRA: PEFT's {@code <module>.lora_A.weight} [r, in] and {@code <module>.lora_B.weight} [out, r];</li>
 *   <li>IA3: PEFT's {@code <module>.ia3_l}, [out, 1] for output-scaled modules (e.g.
 *       {@code ...attention.self.key.ia3_l}) and [1, in] for the feed-forward module ({@code ...output.dense.ia3_l});</li>
 *   <li>Houlsby adapters (no PEFT equivalent): a module {@code adapter} inside the module whose output it adapts,
 *       {@code encoder.layer.N.attention.output.adapter} (after the attention output projection) and
 *       {@code encoder.layer.N.output.adapter} (after the FFN output projection), each with nn.Linear-style
 *       {@code down.weight} [size, hidden], {@code down.bias} [size], {@code up.weight} [hidden, size],
 *       {@code up.bias} [hidden];</li>
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
        if (param.equals(LoraHook.a(role))) {
          return new PeftNames(module + ".lora_A.weight", true);
        }
        if (param.equals(LoraHook.b(role))) {
          return new PeftNames(module + ".lora_B.weight", true);
        }
        if (param.equals(Ia3Hook.vector(role))) {
          // DL4J holds [1, n]; PEFT holds [1, in] for feed-forward modules, [out, 1] otherwise
          return new PeftNames(module + ".ia3_l", !Ia3Hook.scalesInput(role));
        }
      }
      for (String[] site : new String[][] {{TransformerBlockConf.ATTENTION_ADAPTER, "attention.output.adapter"},
          {TransformerBlockConf.OUTPUT_ADAPTER, "output.adapter"}}) {
        java.util.List<String> params = TransformerBlockConf.adapterParams(site[0]);
        String[] suffixes = {".down.weight", ".down.bias", ".up.weight", ".up.bias"};
        for (int i = 0; i < params.size(); i++) {
          if (param.equals(params.get(i))) {
            return new PeftNames(block + site[1] + suffixes[i], i % 2 == 0);
          }
        }
      }
    }
    throw new IllegalArgumentException("no PEFT name for parameter " + key);
  }
}
