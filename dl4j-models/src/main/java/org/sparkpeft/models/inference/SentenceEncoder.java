package org.sparkpeft.models.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.ReusedActivations;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * Sentence embeddings with a base model, as sentence-transformers computes them: tokenize, encode, pool
 * (masked mean or [CLS]), optionally L2-normalise. Texts are batched by token length so batches pad little;
 * results come back in input order. One instance per thread (DL4J graphs keep per-call state).
 */
public final class SentenceEncoder implements AutoCloseable {

  private final ComputationGraph graph;
  private final TextTokenizer tokenizer;
  private final int batchSize;
  private final boolean normalize;

  public SentenceEncoder(BaseModel model, PoolingConf.Mode pooling, int maxLength, int batchSize, boolean normalize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (maxLength > model.config().maxPositions()) {
      throw new IllegalArgumentException("max length " + maxLength + " exceeds the model's "
          + model.config().maxPositions() + " positions");
    }
    this.graph = BertGraphs.embeddingModel(model.weights(), pooling);
    this.tokenizer = TextTokenizer.fromJson(model.id(), model.tokenizerJson(), maxLength);
    this.batchSize = batchSize;
    this.normalize = normalize;
  }

  public int dimension() {
    return (int) graph.getLayer(PoolingConf.NAME).conf().getLayer().getOutputType(0, null).arrayElementsPerExample();
  }

  /** Embeddings of {@code texts}, in order. */
  public float[][] encode(List<String> texts) {
    List<int[]> ids = texts.stream().map(t -> tokenizer.encode(t).ids()).toList();
    Integer[] order = IntStream.range(0, ids.size()).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < order.length; from += batchSize) {
      List<Integer> batch = new ArrayList<>();
      for (int i = from; i < Math.min(from + batchSize, order.length); i++) {
        batch.add(order[i]);
      }
      float[][] vectors = encodeBatch(batch.stream().map(ids::get).toList());
      for (int i = 0; i < batch.size(); i++) {
        out[batch.get(i)] = vectors[i];
      }
    }
    return out;
  }

  private float[][] encodeBatch(List<int[]> batch) {
    PaddedBatch padded = PaddedBatch.of(batch);
    INDArray pooled = ReusedActivations.output(graph, new INDArray[] {padded.ids()}, new INDArray[] {padded.mask()})[0];
    if (normalize) {
      INDArray norms = pooled.norm2(1).reshape(pooled.size(0), 1);
      pooled = pooled.divColumnVector(norms);
    }
    return pooled.castTo(DataType.FLOAT).toFloatMatrix();
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
