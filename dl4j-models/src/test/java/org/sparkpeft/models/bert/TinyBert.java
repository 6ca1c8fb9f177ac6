package org.sparkpeft.models.bert;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;

/** A tiny random BERT with a softmax head, for gradient checks and fast tests. */
public final class TinyBert {

  public static final BertConfig CONFIG = new BertConfig(2, 32, 4, 48, 40, 16, 2, 1e-12, BertConfig.Activation.GELU_ERF);

  public static ComputationGraph classifier(BertConfig config, PoolingConf.Mode pooling, DataType type, int classes) {
    return classifier(config, pooling, type, classes, new NoOp());
  }

  public static ComputationGraph classifier(BertConfig config, PoolingConf.Mode pooling, DataType type, int classes,
                                     org.nd4j.linalg.learning.config.IUpdater updater) {
    return classifier(config, pooling, type, classes, updater, block -> { });
  }

  /** A classifier whose block configurations {@code blocks} edits before initialisation (e.g. adds IA3). */
  public static ComputationGraph classifier(BertConfig config, PoolingConf.Mode pooling, DataType type, int classes,
                                            org.nd4j.linalg.learning.config.IUpdater updater,
                                            java.util.function.Consumer<TransformerBlockConf> blocks) {
    ComputationGraphConfiguration conf = BertGraphs.addEncoder(
            BertGraphs.baseConfiguration(type, 12345).updater(updater).graphBuilder(), config, pooling)
        .addLayer("head", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(config.hidden())
            .nOut(classes).activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build(), PoolingConf.NAME)
        .setOutputs("head")
        .build();
    conf.getVertices().values().forEach(v -> {
      if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
          && lv.getLayerConf().getLayer() instanceof TransformerBlockConf block) {
        blocks.accept(block);
      }
    });
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }

  /** A tiny random encoder graph whose output is the pooled sentence vector (a PEFT base). */
  public static ComputationGraph encoder(BertConfig config, PoolingConf.Mode pooling, DataType type) {
    ComputationGraph graph = new ComputationGraph(BertGraphs.addEncoder(
        BertGraphs.baseConfiguration(type, 12345).graphBuilder(), config, pooling).setOutputs(PoolingConf.NAME).build());
    graph.init();
    return graph;
  }

  /** Token ids [batch, seq] with [CLS]=1 first, as doubles/floats. */
  public static INDArray ids(DataType type, long seed, int batch, int seq, int vocab) {
    java.util.Random random = new java.util.Random(seed);
    double[][] ids = new double[batch][seq];
    for (int b = 0; b < batch; b++) {
      ids[b][0] = 1;
      for (int t = 1; t < seq; t++) {
        ids[b][t] = 2 + random.nextInt(vocab - 2);
      }
    }
    return Nd4j.createFromArray(ids).castTo(type);
  }

  /** Attention mask [batch, seq]: row b has {@code lengths[b]} real tokens then padding. */
  public static INDArray mask(DataType type, int seq, int... lengths) {
    double[][] mask = new double[lengths.length][seq];
    for (int b = 0; b < lengths.length; b++) {
      for (int t = 0; t < lengths[b]; t++) {
        mask[b][t] = 1;
      }
    }
    return Nd4j.createFromArray(mask).castTo(type);
  }

  public static INDArray oneHot(DataType type, int classes, int... labels) {
    INDArray out = Nd4j.zeros(type, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      out.putScalar(i, labels[i], 1.0);
    }
    return out;
  }

  private TinyBert() {}
}
