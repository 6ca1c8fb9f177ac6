package org.sparkpeft.models.bert;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkpeft.models.bert.layers.EmbeddingConf;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/**
 * Builds the BERT encoder as a DL4J ComputationGraph: input {@value #INPUT} (token ids [batch, seq], with the
 * attention mask as the input's feature mask) → {@code embeddings} → {@code encoder.layer.0..N-1} →
 * {@code pooling}. Heads attach to {@link PoolingConf#NAME}.
 */
public final class BertGraphs {

  public static final String INPUT = "input_ids";

  private BertGraphs() {}

  /** The base configuration every sparkpeft graph shares (workspaces off: layers keep backprop state). */
  public static NeuralNetConfiguration.Builder baseConfiguration(DataType dataType, long seed) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dataType)
        .trainingWorkspaceMode(WorkspaceMode.NONE)
        .inferenceWorkspaceMode(WorkspaceMode.NONE);
  }

  /** Adds input, embeddings, blocks and pooling to a graph builder; the caller adds heads and outputs. */
  public static ComputationGraphConfiguration.GraphBuilder addEncoder(ComputationGraphConfiguration.GraphBuilder graph,
                                                                      BertConfig config, PoolingConf.Mode pooling) {
    graph.addInputs(INPUT);
    graph.addLayer(EmbeddingConf.NAME, new EmbeddingConf(config), INPUT);
    String previous = EmbeddingConf.NAME;
    for (int i = 0; i < config.layers(); i++) {
      String name = TransformerBlockConf.layerName(i);
      graph.addLayer(name, new TransformerBlockConf(config, i), previous);
      previous = name;
    }
    graph.addLayer(PoolingConf.NAME, new PoolingConf(pooling, config.hidden()), previous);
    return graph;
  }

  /** The name of the last encoder block (its activations are the last hidden states). */
  public static String lastBlock(BertConfig config) {
    return TransformerBlockConf.layerName(config.layers() - 1);
  }

  /** An initialised sentence-embedding graph (output: pooled vectors) holding the given pretrained weights. */
  public static ComputationGraph embeddingModel(BertWeights weights, PoolingConf.Mode pooling) {
    ComputationGraphConfiguration conf = addEncoder(baseConfiguration(DataType.FLOAT, 42).graphBuilder(),
        weights.config(), pooling)
        .setOutputs(PoolingConf.NAME)
        .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    WeightLoader.load(graph, weights);
    return graph;
  }
}
