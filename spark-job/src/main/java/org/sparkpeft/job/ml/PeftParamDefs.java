package org.sparkpeft.job.ml;

import java.io.Serializable;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;

/**
 * The params of {@link PeftClassifier} and {@link PeftClassificationModel}, created for one owner (Spark ML params
 * belong to the instance whose uid they carry), with their docs and validators; defaults are set by {@link #defaults}.
 * The owners expose them through {@link PeftParams}. The training settings that {@code train} chooses from the data
 * (length, epochs, batch size, averaging frequency, learning rate) default to 0 = chosen the same way: the estimator
 * passes only the ones a user set, so those win, as explicit keys do for {@code train}.
 */
final class PeftParamDefs implements Serializable {

  /** Texts a transform scores per forward pass when {@code batchSize} is 0 (predict's default). */
  static final int SCORING_BATCH = 32;

  final Param<String> textCol;
  final Param<String> labelCol;
  final Param<String> baseModel;
  final Param<String> method;
  final Param<String> methodOptions;
  final IntParam maxLength;
  final IntParam epochs;
  final IntParam batchSize;
  final IntParam numWorkers;
  final IntParam averagingFrequency;
  final DoubleParam learningRate;
  final DoubleParam validationFraction;
  final Param<String> checkpointDir;
  final BooleanParam baseline;
  final LongParam seed;
  final Param<String> predictionCol;
  final Param<String> probabilityCol;
  final Param<String> rawPredictionCol;
  final Param<String> predictedLabelCol;

  PeftParamDefs(Identifiable owner) {
    String uid = owner.uid();
    textCol = new Param<>(uid, "textCol", "column of the input text");
    labelCol = new Param<>(uid, "labelCol", "column of the label (any type, as text) for fit");
    baseModel = new Param<>(uid, "baseModel", "folder with the base model's .onnx and tokenizer.json (empty: the "
        + "bundled all-MiniLM-L6-v2)");
    method = new Param<>(uid, "method", "PEFT method: head, last_n, bitfit, lora, ia3, adapter");
    methodOptions = new Param<>(uid, "methodOptions", "the method's options as name=value pairs separated by ';', "
        + "e.g. r=8;lora_alpha=16;target_modules=query,value (empty: the method's defaults)");
    maxLength = new IntParam(uid, "maxLength", "tokens per text, longer texts are truncated (2..512; 0: fit "
        + "prepares 256 and trains on the length chosen from the data, as train does; a model reads texts at the "
        + "length it was trained on)", ParamValidators.inRange(0, 512));
    epochs = new IntParam(uid, "epochs", "passes over the training rows (>= 1; 0: chosen from the data)",
        ParamValidators.gtEq(0));
    batchSize = new IntParam(uid, "batchSize", "minibatch per worker (>= 1; 0: chosen from the data; transform "
        + "scores " + SCORING_BATCH + " texts at a time)", ParamValidators.gtEq(0));
    numWorkers = new IntParam(uid, "numWorkers", "partitions trained in parallel each round (>= 1)",
        ParamValidators.gtEq(1));
    averagingFrequency = new IntParam(uid, "averagingFrequency", "minibatches per worker between averagings (>= 1; "
        + "0: chosen from the data)", ParamValidators.gtEq(0));
    learningRate = new DoubleParam(uid, "learningRate", "peak AdamW learning rate (> 0; 0: chosen from the data "
        + "for the method)", ParamValidators.gtEq(0));
    validationFraction = new DoubleParam(uid, "validationFraction", "fraction of the rows held out for validation, "
        + "and as much again for the final test (0 < f <= 0.3)", ParamValidators.inRange(0, 0.3, false, true));
    checkpointDir = new Param<>(uid, "checkpointDir", "folder (any Hadoop URI) for the prepared rows and the "
        + "checkpoints of fit; a fit run again with the same folder resumes (empty: a temporary folder, local "
        + "masters only)");
    baseline = new BooleanParam(uid, "baseline", "fit also scores a TF-IDF + logistic-regression baseline on the "
        + "same split and logs whether the fine-tuned model beats it on validation (train's baseline.enabled)");
    seed = new LongParam(uid, "seed", "split, shuffling and initialisation seed");
    predictionCol = new Param<>(uid, "predictionCol", "output: the predicted class index");
    probabilityCol = new Param<>(uid, "probabilityCol", "output: the class probabilities");
    rawPredictionCol = new Param<>(uid, "rawPredictionCol", "output: the classes' log-probabilities");
    predictedLabelCol = new Param<>(uid, "predictedLabelCol", "output: the predicted label's name");
  }

  /** Sets every default on {@code owner} (its params must be these). */
  void defaults(PeftParams owner) {
    owner.setDefault(textCol, "text");
    owner.setDefault(labelCol, "label");
    owner.setDefault(baseModel, "");
    owner.setDefault(method, "lora");
    owner.setDefault(methodOptions, "");
    owner.setDefault(maxLength, 0);
    owner.setDefault(epochs, 0);
    owner.setDefault(batchSize, 0);
    owner.setDefault(numWorkers, 2);
    owner.setDefault(averagingFrequency, 0);
    owner.setDefault(learningRate, 0.0);
    owner.setDefault(validationFraction, 0.1);
    owner.setDefault(checkpointDir, "");
    owner.setDefault(baseline, true);
    owner.setDefault(seed, 42L);
    owner.setDefault(predictionCol, "prediction");
    owner.setDefault(probabilityCol, "probability");
    owner.setDefault(rawPredictionCol, "rawPrediction");
    owner.setDefault(predictedLabelCol, "predictedLabel");
  }
}
