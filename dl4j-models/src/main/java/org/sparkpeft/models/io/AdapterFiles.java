package org.sparkpeft.models.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.InvalidOptionException;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.Optimization;
import org.sparkpeft.models.peft.PeftMethods;
import org.sparkpeft.models.peft.PeftModel;

/**
 * The adapter format (DESIGN §6): {@code adapter_config.json} with Hugging Face PEFT's field names plus a
 * {@code sparkpeft} block, and {@code adapter_model.safetensors} with only the trainable tensors under PEFT's
 * names in [out, in] layout. Bytes in, bytes out: callers write them where they like (atomically).
 * Loading verifies the format version, the weights' sha256 and the base fingerprint, and applies nothing
 * unless every tensor is present with the right shape.
 */
public final class AdapterFiles {

  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The two files of an adapter. */
  public record Files(byte[] config, byte[] weights) {}

  /** A loaded adapter: the model (base + method + trained tensors) and what the adapter says of itself. */
  public record Loaded(PeftModel model, AdapterInfo info) {}

  private AdapterFiles() {}

  public static Files save(PeftModel model, AdapterInfo info) {
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    model.trainableParamTable().forEach((key, view) -> {
      PeftNames name = PeftNames.of(key);
      INDArray array = name.transposed() ? view.transpose() : view;
      INDArray c = array.dup('c');
      tensors.put(name.name(), new Safetensors.Tensor(c.shape(), c.reshape(c.length()).toFloatVector()));
    });
    byte[] weights = Safetensors.write(tensors, Map.of("format", "pt"));
    ObjectNode config = JSON.createObjectNode();
    PeftFields.put(config, model.config());
    config.put("base_model_name_or_path", info.baseModelId());
    config.put("inference_mode", true);
    ObjectNode own = config.putObject("sparkpeft");
    own.put("format_version", FORMAT_VERSION);
    ObjectNode method = own.putObject("method");
    method.put("type", info.methodType());
    ObjectNode options = method.putObject("options");
    info.methodOptions().forEach(options::put);
    ObjectNode head = own.putObject("head");
    head.put("hidden", info.headHidden());
    head.put("dropout", info.headDropout());
    ArrayNode labels = own.putArray("labels");
    info.labels().forEach(labels::add);
    own.putObject("base_model").put("id", info.baseModelId()).put("sha256", info.baseModelSha256());
    own.putObject("tokenizer").put("id", info.tokenizerId()).put("sha256", info.tokenizerSha256());
    ObjectNode report = own.putObject("parameters");
    report.put("trainable", model.trainableCount());
    report.put("total", model.totalCount());
    ObjectNode byLayer = report.putObject("trainable_by_layer");
    model.trainableByLayer().forEach(byLayer::put);
    ObjectNode byGroup = report.putObject("trainable_by_group");
    model.trainableByGroup().forEach(byGroup::put);
    ObjectNode summary = own.putObject("training");
    info.summary().forEach(summary::put);
    own.put("weights_sha256", sha256(weights));
    try {
      return new Files(JSON.writeValueAsBytes(config), weights);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A verified adapter, not yet applied: what it says of itself, its method configuration and its tensors (by PEFT
   * name).
   */
  public record Parsed(AdapterInfo info, PeftConfig config, Map<String, Safetensors.Tensor> tensors, String source) {}

  /** Applies the adapter to {@code base}; refuses (IllegalArgumentException, one sentence) anything inconsistent. */
  public static Loaded load(BaseModel base, Files files, String source) {
    Parsed parsed = parse(base, files, source);
    PeftModel model = build(BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN), parsed);
    Map<String, INDArray> values = values(model, parsed);
    model.trainableParamTable().forEach((key, view) -> view.assign(values.get(key)));
    return new Loaded(model, parsed.info());
  }

  /**
   * The adapted graph of {@code parsed.config()} on {@code baseGraph}, built only once the adapter's tensors are
   * exactly the ones that configuration trains, with its shapes: a size in adapter_config.json (a LoRA rank, a head
   * width, a label count) that its tensors do not bear out is refused before anything is allocated for it.
   */
  static PeftModel build(ComputationGraph baseGraph, Parsed parsed) {
    checkTensors(baseGraph, parsed);
    return PeftMethods.create(baseGraph, parsed.config(), Optimization.adamW(1e-3, 0));
  }

  /**
   * Reads and verifies an adapter for {@code base}: format version, the weights' sha256, the base fingerprint, the
   * method configuration; refuses (IllegalArgumentException, one sentence) anything inconsistent.
   */
  public static Parsed parse(BaseModel base, Files files, String source) {
    String configSource = source + "/" + CONFIG;
    ObjectNode config = SafeJson.object(files.config(), 0, files.config().length, configSource, "content");
    JsonNode own = config.path("sparkpeft");
    if (!own.isObject()) {
      throw new IllegalArgumentException(configSource + " has no sparkpeft block; it was not written by sparkpeft");
    }
    JsonNode given = own.path("format_version");
    int version = given.isIntegralNumber() && given.canConvertToInt() ? given.intValue() : -1;
    if (version < 1 || version > FORMAT_VERSION) {
      throw new IllegalArgumentException(source + " has adapter format version "
          + (given.isMissingNode() ? "(none)" : given.toString()) + "; this sparkpeft reads versions 1 to "
          + FORMAT_VERSION + " (upgrade sparkpeft)");
    }
    String expected = own.path("weights_sha256").asText();
    if (!expected.equals(sha256(files.weights()))) {
      throw new IllegalArgumentException(source + "/" + WEIGHTS + " is truncated or corrupt: its sha256 does not "
          + "match the one recorded in " + CONFIG);
    }
    String baseSha = own.path("base_model").path("sha256").asText();
    if (!baseSha.equals(base.fingerprint())) {
      throw new IllegalArgumentException(source + " was trained on base " + own.path("base_model").path("id").asText()
          + " (sha256 " + abbreviate(baseSha) + "), not on the loaded base " + base.id() + " (sha256 "
          + abbreviate(base.fingerprint()) + ")");
    }
    AdapterInfo info;
    PeftConfig method;
    try {
      info = info(own);
      HeadConfig head = new HeadConfig(info.labels().size(), info.headHidden(), info.headDropout());
      method = PeftMethods.parse(info.methodType(), info.methodOptions(), head);
    } catch (InvalidOptionException e) {
      // the message begins with the option's key, method.options.<name>, which the file holds under sparkpeft
      throw new IllegalArgumentException(configSource + ": sparkpeft." + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(configSource + " has an invalid method or head: " + e.getMessage(), e);
    }
    return new Parsed(info, method, Safetensors.read(files.weights(), source + "/" + WEIGHTS).tensors(), source);
  }

  /**
   * Refuses a configuration the base cannot take (e.g. blocks it does not have), a missing tensor, a tensor of
   * another shape and a tensor the configuration does not train; allocates nothing.
   */
  static void checkTensors(ComputationGraph baseGraph, Parsed parsed) {
    Map<String, long[]> shapes;
    try {
      shapes = PeftMethods.trainableShapes(baseGraph, parsed.config());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(parsed.source() + "/" + CONFIG + " does not fit the loaded base: "
          + e.getMessage(), e);
    }
    String weights = parsed.source() + "/" + WEIGHTS;
    java.util.Set<String> expected = new java.util.HashSet<>();
    shapes.forEach((key, shape) -> {
      PeftNames name = PeftNames.of(key);
      expected.add(name.name());
      Safetensors.Tensor tensor = parsed.tensors().get(name.name());
      if (tensor == null) {
        throw new IllegalArgumentException(weights + " lacks tensor " + name.name());
      }
      long[] stored = name.transposed() ? reversed(shape) : shape;
      if (!java.util.Arrays.equals(stored, tensor.shape())) {
        throw new IllegalArgumentException(weights + ": tensor " + name.name() + " has shape "
            + java.util.Arrays.toString(tensor.shape()) + " but " + CONFIG + " (method " + parsed.info().methodType()
            + ", " + parsed.info().labels().size() + " labels, head hidden " + parsed.info().headHidden()
            + ") needs " + java.util.Arrays.toString(stored));
      }
    });
    for (String name : parsed.tensors().keySet()) {
      if (!expected.contains(name)) {
        throw new IllegalArgumentException(weights + " holds tensor " + name + ", which the " + parsed.info()
            .methodType() + " method configured in " + CONFIG + " does not train");
      }
    }
  }

  /**
   * The adapter's value of every trainable parameter of {@code model} (built for {@code parsed.config()}), in DL4J
   * layout; a missing tensor or a wrong shape is refused before anything is applied.
   */
  public static Map<String, INDArray> values(PeftModel model, Parsed parsed) {
    Map<String, INDArray> values = new LinkedHashMap<>();
    model.trainableParamTable().forEach((key, view) -> {
      PeftNames name = PeftNames.of(key);
      Safetensors.Tensor tensor = parsed.tensors().get(name.name());
      if (tensor == null) {
        throw new IllegalArgumentException(parsed.source() + "/" + WEIGHTS + " lacks tensor " + name.name());
      }
      INDArray array = Nd4j.create(tensor.data(), tensor.shape(), 'c');
      INDArray value = name.transposed() ? array.transpose() : array;
      if (!java.util.Arrays.equals(value.shape(), view.shape())) {
        throw new IllegalArgumentException(parsed.source() + ": tensor " + name.name() + " has shape "
            + java.util.Arrays.toString(tensor.shape()) + ", the method expects the transpose of "
            + java.util.Arrays.toString(view.shape()));
      }
      values.put(key, value.castTo(view.dataType()).dup('c'));
    });
    return values;
  }

  private static AdapterInfo info(JsonNode own) {
    Map<String, String> options = new LinkedHashMap<>();
    own.path("method").path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
    List<String> labels = new ArrayList<>();
    own.path("labels").forEach(l -> labels.add(l.asText()));
    Map<String, String> summary = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = own.path("training").fields();
    it.forEachRemaining(e -> summary.put(e.getKey(), e.getValue().asText()));
    return new AdapterInfo(own.path("method").path("type").asText(), options, own.path("head").path("hidden").asInt(),
        own.path("head").path("dropout").asDouble(), labels, own.path("base_model").path("id").asText(),
        own.path("base_model").path("sha256").asText(), own.path("tokenizer").path("id").asText(),
        own.path("tokenizer").path("sha256").asText(), summary);
  }

  private static long[] reversed(long[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[shape.length - 1 - i];
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
