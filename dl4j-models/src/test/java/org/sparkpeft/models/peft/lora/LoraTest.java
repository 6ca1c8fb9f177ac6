package org.sparkpeft.models.peft.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sparkpeft.models.bert.DoublePrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.GradientCheck;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/** LoRA's forward against merged weights computed directly, its backward against finite differences (double). */
@ExtendWith(DoublePrecision.class)
class LoraTest {

  private static final BertConfig CONFIG = new BertConfig(2, 32, 4, 48, 40, 16, 2, 1e-12, BertConfig.Activation.GELU_ERF);
  private static final Optimization NONE = new Optimization(new NoOp(), 0, 3);
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void forwardEqualsTheBaseWithMergedWeightsComputedDirectly(boolean rslora) {
    ComputationGraph base = TinyBert.encoder(CONFIG, PoolingConf.Mode.MEAN, DataType.DOUBLE);
    LoraConfig config = new LoraConfig(4, 8, 0, EnumSet.allOf(DenseRole.class), Set.of(), rslora, HeadConfig.linear(3));
    PeftModel model = PeftMethods.create(base, config, NONE);
    randomizeB(model.graph(), 11);
    INDArray ids = TinyBert.ids(DataType.DOUBLE, 7, 3, 7, CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.DOUBLE, 7, 7, 4, 2);
    INDArray before = pooled(base, ids, mask);
    INDArray adapted = pooled(model.graph(), ids, mask);

    double scale = rslora ? 8 / Math.sqrt(4) : 8.0 / 4;
    for (int i = 0; i < CONFIG.layers(); i++) {
      Layer lora = model.graph().getLayer(TransformerBlockConf.layerName(i));
      Layer plain = base.getLayer(TransformerBlockConf.layerName(i));
      for (DenseRole role : DenseRole.values()) {
        INDArray a = lora.getParam(LoraHook.a(role));
        INDArray b = lora.getParam(LoraHook.b(role));
        plain.getParam(TransformerBlockConf.weight(role)).addi(a.mmul(b).muli(scale));
      }
    }
    INDArray direct = pooled(base, ids, mask);
    double diff = adapted.sub(direct).amaxNumber().doubleValue();
    double effect = adapted.sub(before).amaxNumber().doubleValue();
    assertTrue(diff < 1e-12, "LoRA forward vs x(W + scale A B) + b: max |diff| = " + diff);
    assertTrue(effect > 1e-3, "the random B must change the output, max |change| = " + effect);
  }

  @Test
  void loraGradientsMatchFiniteDifferencesOnEveryRole() {
    PeftModel model = PeftMethods.create(TinyBert.encoder(CONFIG, PoolingConf.Mode.MEAN, DataType.DOUBLE),
        new LoraConfig(3, 6, 0, EnumSet.allOf(DenseRole.class), Set.of(), false, HeadConfig.linear(3)), NONE);
    randomizeB(model.graph(), 5); // with B = 0 the gradient of A is zero and the check would prove little
    INDArray ids = TinyBert.ids(DataType.DOUBLE, 7, 3, 7, CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.DOUBLE, 7, 7, 4, 2);
    INDArray labels = TinyBert.oneHot(DataType.DOUBLE, 3, 0, 2, 1);
    long loraArrays = model.trainableParams().stream().filter(k -> k.contains(".lora")).count();
    assertEquals(2L * 6 * 2, loraArrays);
    assertEquals(List.of(), GradientCheck.run(model.graph(), ids, mask, labels, 5, 1e-6, 1e-4, 1e-9,
        model.trainableParams()::contains), "trainable parameters (LoRA + head)");
    // the frozen ones get no gradient at all
    INDArray frozenGradient = model.graph().gradient().getGradientFor("encoder.layer.0_query.W");
    assertEquals(0.0, frozenGradient.amaxNumber().doubleValue());

    // unfreeze the blocks: their base weights' gradients must stay right with LoRA in the block
    for (Layer layer : model.graph().getLayers()) {
      if (layer.conf().getLayer() instanceof TransformerBlockConf conf) {
        conf.setFrozenParams(Set.of());
      }
    }
    assertEquals(List.of(), GradientCheck.run(model.graph(), ids, mask, labels, 2, 1e-6, 1e-4, 1e-9,
        key -> key.startsWith("encoder.layer.") && !key.contains(".lora")), "every block parameter");
  }

  @Test
  void loraDropoutGradientsMatchFiniteDifferencesUnderTheSameMasks() {
    PeftModel model = PeftMethods.create(TinyBert.encoder(CONFIG, PoolingConf.Mode.MEAN, DataType.DOUBLE),
        new LoraConfig(3, 6, 0.3, EnumSet.allOf(DenseRole.class), Set.of(), false, HeadConfig.linear(3)), NONE);
    randomizeB(model.graph(), 8);
    ComputationGraph graph = model.graph();
    INDArray ids = TinyBert.ids(DataType.DOUBLE, 7, 3, 7, CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.DOUBLE, 7, 7, 4, 2);
    INDArray labels = TinyBert.oneHot(DataType.DOUBLE, 3, 0, 2, 1);
    org.nd4j.linalg.dataset.MultiDataSet data = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {ids},
        new INDArray[] {labels}, new INDArray[] {mask}, null);
    graph.setInputs(ids);
    graph.setLabels(labels);
    graph.setLayerMaskArrays(new INDArray[] {mask}, null);
    long seed = 99;
    Nd4j.getRandom().setSeed(seed);
    graph.computeGradientAndScore();
    double eps = 1e-6;
    java.util.List<String> failures = new java.util.ArrayList<>();
    int checked = 0;
    for (String key : model.trainableParams()) {
      if (!key.contains(".lora")) {
        continue;
      }
      INDArray param = graph.getParam(key);
      INDArray analytic = graph.gradient().getGradientFor(key).dup().divi(ids.size(0));
      for (long i : new long[] {0, param.length() / 2, param.length() - 1}) {
        double original = param.getDouble(i);
        param.putScalar(i, original + eps);
        Nd4j.getRandom().setSeed(seed);
        double plus = graph.score(data, true);
        param.putScalar(i, original - eps);
        Nd4j.getRandom().setSeed(seed);
        double minus = graph.score(data, true);
        param.putScalar(i, original);
        double numeric = (plus - minus) / (2 * eps);
        double a = analytic.getDouble(i);
        double abs = Math.abs(a - numeric);
        if (abs > 1e-9 && abs / (Math.abs(a) + Math.abs(numeric)) > 1e-4) {
          failures.add(key + "[" + i + "] analytic " + a + " numeric " + numeric);
        }
        checked++;
      }
    }
    graph.clearLayerMaskArrays();
    assertEquals(24 * 3, checked);
    assertEquals(List.of(), failures);
  }

  @Test
  void mergeEqualsUnmergedOutputAndUnmergeRestoresTheBase() {
    ComputationGraph base = TinyBert.encoder(CONFIG, PoolingConf.Mode.CLS, DataType.DOUBLE);
    PeftModel model = PeftMethods.create(base, LoraConfig.of(4, 8, EnumSet.of(DenseRole.QUERY, DenseRole.OUTPUT),
        HeadConfig.linear(2)), NONE);
    randomizeB(model.graph(), 2);
    INDArray ids = TinyBert.ids(DataType.DOUBLE, 9, 2, 6, CONFIG.vocab());
    INDArray mask = TinyBert.mask(DataType.DOUBLE, 6, 6, 3);
    INDArray unmerged = pooled(model.graph(), ids, mask);
    INDArray w = model.graph().getParam("encoder.layer.1_output.W").dup();

    assertEquals(4, LoraMerge.merge(model.graph()));
    assertNotEquals(w, model.graph().getParam("encoder.layer.1_output.W"));
    assertTrue(pooled(model.graph(), ids, mask).sub(unmerged).amaxNumber().doubleValue() < 1e-12);
    assertThrows(IllegalStateException.class, () -> LoraMerge.merge(model.graph()));

    assertEquals(4, LoraMerge.unmerge(model.graph()));
    assertTrue(model.graph().getParam("encoder.layer.1_output.W").sub(w).amaxNumber().doubleValue() < 1e-12);
    assertTrue(pooled(model.graph(), ids, mask).sub(unmerged).amaxNumber().doubleValue() < 1e-12);
  }

  static void randomizeB(ComputationGraph graph, long seed) {
    Nd4j.getRandom().setSeed(seed);
    graph.paramTable().forEach((key, value) -> {
      if (key.endsWith(".loraB")) {
        value.assign(Nd4j.randn(value.dataType(), value.shape()).muli(0.1));
      }
    });
  }

  static INDArray pooled(ComputationGraph graph, INDArray ids, INDArray mask) {
    graph.setLayerMaskArrays(new INDArray[] {mask}, null);
    INDArray out = graph.feedForward(new INDArray[] {ids}, false).get(PoolingConf.NAME).dup();
    graph.clearLayerMaskArrays();
    return out;
  }
}
