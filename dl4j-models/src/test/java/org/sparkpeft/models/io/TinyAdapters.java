package org.sparkpeft.models.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.BertWeights;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.TinyBert;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/** A tiny random BERT base (2 blocks, hidden 32) and adapters for it: loading one takes milliseconds. */
final class TinyAdapters {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TinyAdapters() {}

  static BaseModel base() {
    BertConfig c = TinyBert.CONFIG;
    Random random = new Random(11);
    BertWeights.Embeddings embeddings = new BertWeights.Embeddings(floats(random, c.vocab() * c.hidden()),
        floats(random, c.maxPositions() * c.hidden()), floats(random, c.typeVocab() * c.hidden()), norm(c.hidden()));
    List<BertWeights.Block> blocks = new ArrayList<>();
    for (int layer = 0; layer < c.layers(); layer++) {
      Map<DenseRole, BertWeights.Dense> dense = new EnumMap<>(DenseRole.class);
      for (DenseRole role : DenseRole.values()) {
        int in = role == DenseRole.OUTPUT ? c.intermediate() : c.hidden();
        int out = role == DenseRole.INTERMEDIATE ? c.intermediate() : c.hidden();
        dense.put(role, new BertWeights.Dense(in, out, floats(random, in * out), floats(random, out)));
      }
      blocks.add(new BertWeights.Block(dense, norm(c.hidden()), norm(c.hidden())));
    }
    BertWeights weights = new BertWeights(c, embeddings, blocks);
    return new BaseModel("tiny-bert", weights, weights.fingerprint(), new byte[0]);
  }

  /** An adapter of {@code type} with {@code options} and a linear two-label head, with random trained values. */
  static AdapterFiles.Files adapter(BaseModel base, String type, Map<String, String> options) {
    PeftModel model = PeftMethods.create(BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN),
        PeftMethods.parse(type, options, HeadConfig.linear(2)), Optimization.adamW(1e-3, 0));
    Random random = new Random(5);
    for (INDArray view : model.trainableParamTable().values()) {
      for (long i = 0; i < view.length(); i++) {
        view.putScalar(i, random.nextGaussian() * 0.05);
      }
    }
    return AdapterFiles.save(model, new AdapterInfo(type, options, 0, 0, List.of("no", "yes"), base.id(),
        base.fingerprint(), base.id(), "t", Map.of()));
  }

  /** {@code files} with other weights and the sha256 of those recorded, so loading reaches the weights' reader. */
  static AdapterFiles.Files withWeights(AdapterFiles.Files files, byte[] weights) {
    return withConfig(new AdapterFiles.Files(files.config(), weights),
        own -> own.put("weights_sha256", AdapterFiles.sha256(weights)));
  }

  /** {@code files} with the sparkpeft block of adapter_config.json edited by {@code edit}. */
  static AdapterFiles.Files withConfig(AdapterFiles.Files files, Consumer<ObjectNode> edit) {
    try {
      ObjectNode config = (ObjectNode) JSON.readTree(files.config());
      edit.accept((ObjectNode) config.get("sparkpeft"));
      return new AdapterFiles.Files(JSON.writeValueAsBytes(config), files.weights());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static float[] floats(Random random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (random.nextGaussian() * 0.1);
    }
    return out;
  }

  private static BertWeights.LayerNorm norm(int n) {
    float[] gamma = new float[n];
    java.util.Arrays.fill(gamma, 1f);
    return new BertWeights.LayerNorm(gamma, new float[n]);
  }
}
