package org.sparkpeft.job.train;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.learning.config.Adam;
import org.sparkpeft.job.model.ExecutorModels;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Everything needed to build the trainable model anywhere (driver or executor): where the base is, its
 * fingerprint, the PEFT method and head, and the optimiser. Small and serialisable: tasks carry this, never the
 * weights; each executor builds the model once and keeps it in its pool.
 */
public record ModelSpec(ModelLocation base, String fingerprint, String methodType, Map<String, String> methodOptions,
                        int labels, int headHidden, double headDropout, double learningRate, double weightDecay,
                        int warmupSteps, int totalSteps, long seed, double headLearningRate,
                        List<Double> classWeights) implements Serializable {

  public ModelSpec {
    methodOptions = Map.copyOf(methodOptions);
    classWeights = List.copyOf(classWeights);
  }

  /** The head trained at the encoder's rate, unweighted loss. */
  public ModelSpec(ModelLocation base, String fingerprint, String methodType, Map<String, String> methodOptions,
                   int labels, int headHidden, double headDropout, double learningRate, double weightDecay,
                   int warmupSteps, int totalSteps, long seed) {
    this(base, fingerprint, methodType, methodOptions, labels, headHidden, headDropout, learningRate, weightDecay,
        warmupSteps, totalSteps, seed, learningRate, List.of());
  }

  /** Imports (or takes from this JVM's cache) the base and applies the method; the result is this thread's own. */
  public PeftModel build(Map<String, String> hadoopConf) {
    BaseModel model = ExecutorModels.model(base, hadoopConf, fingerprint);
    return build(model);
  }

  public PeftModel build(BaseModel model) {
    HeadConfig head = new HeadConfig(labels, headHidden, headDropout);
    Optimization optimization = new Optimization(
        new Adam(new WarmupLinearDecay(learningRate, warmupSteps, totalSteps)), weightDecay, seed,
        headLearningRate == learningRate ? null : new Adam(new WarmupLinearDecay(headLearningRate, warmupSteps,
            totalSteps)), classWeights);
    return PeftMethods.create(BertGraphs.embeddingModel(model.weights(), PoolingConf.Mode.MEAN),
        PeftMethods.parse(methodType, methodOptions, head), optimization);
  }
}
