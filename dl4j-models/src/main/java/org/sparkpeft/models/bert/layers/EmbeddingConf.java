package org.sparkpeft.models.bert.layers;

import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.bert.BertConfig;

/**
 * BERT embeddings: word + position + token type (type 0: single-segment input), then LayerNorm. Input is token
 * ids [batch, seq] (as floating point, DL4J's convention); output [batch, seq, hidden]. Parameters:
 * {@code word} [vocab, hidden], {@code position} [maxPositions, hidden], {@code tokenType} [typeVocab, hidden]
 * (absent when the model has none), {@code norm.gamma}, {@code norm.beta}.
 */
public class EmbeddingConf extends SparkpeftLayerConf {

  public static final String NAME = "embeddings";
  public static final String WORD = "word";
  public static final String POSITION = "position";
  public static final String TOKEN_TYPE = "tokenType";
  public static final String LN_GAMMA = "norm.gamma";
  public static final String LN_BETA = "norm.beta";

  private int vocab;
  private int maxPositions;
  private int typeVocab;
  private int hidden;
  private double layerNormEps;

  /** For JSON deserialisation. */
  public EmbeddingConf() {
  }

  public EmbeddingConf(BertConfig config) {
    this.vocab = config.vocab();
    this.maxPositions = config.maxPositions();
    this.typeVocab = config.typeVocab();
    this.hidden = config.hidden();
    this.layerNormEps = config.layerNormEps();
    setLayerName(NAME);
  }

  @Override
  public ParamLayout layout() {
    ParamLayout layout = new ParamLayout().add(WORD, vocab, hidden).add(POSITION, maxPositions, hidden);
    if (typeVocab > 0) {
      layout.add(TOKEN_TYPE, typeVocab, hidden);
    }
    return layout.add(LN_GAMMA, hidden).add(LN_BETA, hidden);
  }

  @Override
  public void initializeParams(Map<String, INDArray> views) {
    for (String table : new String[] {WORD, POSITION, TOKEN_TYPE}) {
      if (views.containsKey(table)) {
        INDArray view = views.get(table);
        view.assign(Nd4j.randn(view.dataType(), view.shape()).muli(0.02));
      }
    }
    views.get(LN_GAMMA).assign(1.0);
    views.get(LN_BETA).assign(0.0);
  }

  @Override
  public boolean isBiasParam(String name) {
    return name.equals(LN_BETA);
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                           INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
    return wire(new EmbeddingLayer(conf, networkDataType), listeners, layerIndex, layerParamsView, initializeParams,
        conf);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    long seq = inputType instanceof InputType.InputTypeRecurrent r ? r.getTimeSeriesLength() : -1;
    return InputType.recurrent(hidden, seq, RNNFormat.NWC);
  }

  public int getVocab() {
    return vocab;
  }

  public void setVocab(int vocab) {
    this.vocab = vocab;
  }

  public int getMaxPositions() {
    return maxPositions;
  }

  public void setMaxPositions(int maxPositions) {
    this.maxPositions = maxPositions;
  }

  public int getTypeVocab() {
    return typeVocab;
  }

  public void setTypeVocab(int typeVocab) {
    this.typeVocab = typeVocab;
  }

  public int getHidden() {
    return hidden;
  }

  public void setHidden(int hidden) {
    this.hidden = hidden;
  }

  public double getLayerNormEps() {
    return layerNormEps;
  }

  public void setLayerNormEps(double layerNormEps) {
    this.layerNormEps = layerNormEps;
  }
}
