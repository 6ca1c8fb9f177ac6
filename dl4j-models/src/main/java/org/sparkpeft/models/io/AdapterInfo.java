package org.sparkpeft.models.io;

import java.util.List;
import java.util.Map;

/**
 * What an adapter says about itself besides its tensors (sparkpeft's block of adapter_config.json).
 *
 * @param methodType PEFT method type name
 * @param methodOptions the method's options, Hugging Face PEFT names
 * @param headHidden hidden size of the head (0 = linear)
 * @param headDropout the head's dropout
 * @param labels label names in id order (the label map)
 * @param baseModelId base model id
 * @param baseModelSha256 base fingerprint the adapter was trained on
 * @param tokenizerId tokenizer id
 * @param tokenizerSha256 sha256 of the tokenizer.json
 * @param summary training summary (free-form, for people)
 */
public record AdapterInfo(String methodType, Map<String, String> methodOptions, int headHidden, double headDropout,
                          List<String> labels, String baseModelId, String baseModelSha256, String tokenizerId,
                          String tokenizerSha256, Map<String, String> summary) {

  public AdapterInfo {
    methodOptions = Map.copyOf(methodOptions);
    labels = List.copyOf(labels);
    summary = Map.copyOf(summary);
  }
}
