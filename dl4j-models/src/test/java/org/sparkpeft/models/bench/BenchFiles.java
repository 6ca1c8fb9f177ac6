package org.sparkpeft.models.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.bert.BertConfig;
import org.sparkpeft.models.bert.BertWeights;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.io.Safetensors;
import org.sparkpeft.models.peft.HeadConfig;

/**
 * The files the PyTorch reference ({@code bench/pytorch_minilm.py}) reads: the base weights this JVM imported plus
 * the head's initial weights, as safetensors (dense kernels [in, out] under {@code <module>.kernel}, embeddings and
 * LayerNorms under Hugging Face's names, the head shape as {@code config.*} scalars), and the token ids of a batch
 * as text (one row per line).
 */
final class BenchFiles {

  private BenchFiles() {}

  static Path weights(BertWeights weights, ComputationGraph withHead, Path dir) throws IOException {
    Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
    BertConfig config = weights.config();
    int hidden = config.hidden();
    BertWeights.Embeddings e = weights.embeddings();
    out.put("embeddings.word_embeddings.weight", tensor(e.word(), config.vocab(), hidden));
    out.put("embeddings.position_embeddings.weight", tensor(e.position(), config.maxPositions(), hidden));
    out.put("embeddings.token_type_embeddings.weight", config.typeVocab() > 0
        ? tensor(e.tokenType(), config.typeVocab(), hidden) : tensor(new float[hidden], 1, hidden));
    norm(out, "embeddings.LayerNorm", e.norm(), hidden);
    for (int i = 0; i < weights.blocks().size(); i++) {
      BertWeights.Block block = weights.blocks().get(i);
      for (DenseRole role : DenseRole.values()) {
        BertWeights.Dense dense = block.dense(role);
        out.put(role.hfModule(i) + ".kernel", tensor(dense.kernel(), dense.nIn(), dense.nOut()));
        out.put(role.hfModule(i) + ".bias", tensor(dense.bias(), dense.nOut()));
      }
      norm(out, "encoder.layer." + i + ".attention.output.LayerNorm", block.attentionNorm(), hidden);
      norm(out, "encoder.layer." + i + ".output.LayerNorm", block.outputNorm(), hidden);
    }
    INDArray w = withHead.getLayer(HeadConfig.OUTPUT).getParam("W");
    INDArray b = withHead.getLayer(HeadConfig.OUTPUT).getParam("b");
    out.put("classifier.kernel", tensor(w.dup('c').reshape(w.length()).toFloatVector(), w.size(0), w.size(1)));
    out.put("classifier.bias", tensor(b.dup('c').toFloatVector(), b.length()));
    out.put("config.heads", tensor(new float[] {config.heads()}, 1));
    out.put("config.layer_norm_eps", tensor(new float[] {(float) config.layerNormEps()}, 1));
    Path file = dir.resolve("minilm-base-and-head.safetensors");
    Files.write(file, Safetensors.write(out, Map.of("source", "sparkpeft bench: imported base + initial head")));
    return file;
  }

  static Path tokens(long[][] ids, Path dir) throws IOException {
    StringBuilder text = new StringBuilder();
    for (long[] row : ids) {
      for (int t = 0; t < row.length; t++) {
        text.append(t == 0 ? "" : " ").append(row[t]);
      }
      text.append('\n');
    }
    Path file = dir.resolve("ids-" + ids[0].length + ".txt");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private static void norm(Map<String, Safetensors.Tensor> out, String prefix, BertWeights.LayerNorm norm, int hidden) {
    out.put(prefix + ".weight", tensor(norm.gamma(), hidden));
    out.put(prefix + ".bias", tensor(norm.beta(), hidden));
  }

  private static Safetensors.Tensor tensor(float[] data, long... shape) {
    return new Safetensors.Tensor(shape, data);
  }
}
