package org.sparkpeft.models.bert;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.layers.EmbeddingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/** Copies pretrained {@link BertWeights} into the encoder layers of a graph built by {@link BertGraphs}. */
public final class WeightLoader {

  private WeightLoader() {}

  public static void load(ComputationGraph graph, BertWeights weights) {
    BertConfig config = weights.config();
    Layer embeddings = graph.getLayer(EmbeddingConf.NAME);
    set(embeddings, EmbeddingConf.WORD, weights.embeddings().word());
    set(embeddings, EmbeddingConf.POSITION, weights.embeddings().position());
    if (config.typeVocab() > 0) {
      set(embeddings, EmbeddingConf.TOKEN_TYPE, weights.embeddings().tokenType());
    }
    set(embeddings, EmbeddingConf.LN_GAMMA, weights.embeddings().norm().gamma());
    set(embeddings, EmbeddingConf.LN_BETA, weights.embeddings().norm().beta());
    for (int i = 0; i < config.layers(); i++) {
      Layer block = graph.getLayer(TransformerBlockConf.layerName(i));
      BertWeights.Block w = weights.blocks().get(i);
      for (DenseRole role : DenseRole.values()) {
        set(block, TransformerBlockConf.weight(role), w.dense(role).kernel());
        set(block, TransformerBlockConf.bias(role), w.dense(role).bias());
      }
      set(block, TransformerBlockConf.ATTENTION_LN_GAMMA, w.attentionNorm().gamma());
      set(block, TransformerBlockConf.ATTENTION_LN_BETA, w.attentionNorm().beta());
      set(block, TransformerBlockConf.OUTPUT_LN_GAMMA, w.outputNorm().gamma());
      set(block, TransformerBlockConf.OUTPUT_LN_BETA, w.outputNorm().beta());
    }
  }

  private static void set(Layer layer, String param, float[] values) {
    INDArray view = layer.getParam(param);
    if (view.length() != values.length) {
      throw new IllegalArgumentException(layer.conf().getLayer().getLayerName() + "." + param + " holds "
          + view.length() + " values but the weights have " + values.length);
    }
    view.assign(Nd4j.create(values, view.shape(), 'c').castTo(view.dataType()));
  }
}
