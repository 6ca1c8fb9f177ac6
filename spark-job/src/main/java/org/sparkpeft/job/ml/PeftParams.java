package org.sparkpeft.job.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The params that {@link PeftClassifier} and {@link PeftClassificationModel} share (as MLlib's
 * {@code LogisticRegressionParams}): input columns, the base model and PEFT method, the training settings, and the
 * output columns. Documented and validated where they are defined ({@link PeftParamDefs}).
 */
public interface PeftParams extends Params {

  /** The params of this instance. */
  PeftParamDefs defs();

  default Param<String> textCol() {
    return defs().textCol;
  }

  default Param<String> labelCol() {
    return defs().labelCol;
  }

  default Param<String> baseModel() {
    return defs().baseModel;
  }

  default Param<String> method() {
    return defs().method;
  }

  default Param<String> methodOptions() {
    return defs().methodOptions;
  }

  default IntParam maxLength() {
    return defs().maxLength;
  }

  default IntParam epochs() {
    return defs().epochs;
  }

  default IntParam batchSize() {
    return defs().batchSize;
  }

  default IntParam numWorkers() {
    return defs().numWorkers;
  }

  default IntParam averagingFrequency() {
    return defs().averagingFrequency;
  }

  default DoubleParam learningRate() {
    return defs().learningRate;
  }

  default DoubleParam validationFraction() {
    return defs().validationFraction;
  }

  default Param<String> checkpointDir() {
    return defs().checkpointDir;
  }

  default BooleanParam baseline() {
    return defs().baseline;
  }

  default LongParam seed() {
    return defs().seed;
  }

  default Param<String> predictionCol() {
    return defs().predictionCol;
  }

  default Param<String> probabilityCol() {
    return defs().probabilityCol;
  }

  default Param<String> rawPredictionCol() {
    return defs().rawPredictionCol;
  }

  default Param<String> predictedLabelCol() {
    return defs().predictedLabelCol;
  }

  default String getTextCol() {
    return getOrDefault(textCol());
  }

  default String getLabelCol() {
    return getOrDefault(labelCol());
  }

  default String getBaseModel() {
    return getOrDefault(baseModel());
  }

  default String getMethod() {
    return getOrDefault(method());
  }

  default String getMethodOptions() {
    return getOrDefault(methodOptions());
  }

  default int getMaxLength() {
    return (Integer) getOrDefault(maxLength());
  }

  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  default String getCheckpointDir() {
    return getOrDefault(checkpointDir());
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  default String getProbabilityCol() {
    return getOrDefault(probabilityCol());
  }

  default String getRawPredictionCol() {
    return getOrDefault(rawPredictionCol());
  }

  default String getPredictedLabelCol() {
    return getOrDefault(predictedLabelCol());
  }
}
