package org.sparkpeft.job.ml;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.Normalization;
import org.sparkpeft.data.config.OutputSpec;
import org.sparkpeft.data.shard.AtomicOutput;
import org.sparkpeft.data.shard.OutputListing;
import org.sparkpeft.job.predict.TextSettings;
import org.sparkpeft.job.store.AdapterStore;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.tokenizer.Truncation;

/**
 * A saved {@link PeftClassificationModel}, on any Hadoop URI, written atomically ({@link AtomicOutput}: the previous
 * model is kept until the new one is complete; {@code _SUCCESS} lists the files): {@code metadata/part-00000} in Spark
 * ML's metadata format (class, uid, Spark version, params, so {@code PipelineModel.load} finds the class) plus a
 * {@code sparkpeft} block (how text is prepared, the base model), and {@code adapter/} in the adapter format.
 */
final class ModelStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String METADATA = "metadata/part-00000";

  private ModelStore() {}

  static final class Writer extends MLWriter {
    private final PeftClassificationModel model;

    Writer(PeftClassificationModel model) {
      this.model = model;
    }

    @Override
    public void save(String path) {
      SparkSession spark = SparkSession.active();
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      PeftClassificationModel.ModelState state = model.state();
      AtomicOutput target = AtomicOutput.begin(hadoop, new OutputSpec(path, shouldOverwrite()));
      try {
        AdapterStore.write(hadoop, new Path(target.temp(), "adapter"), state.files());
        AdapterStore.write(hadoop, new Path(target.temp(), METADATA), JSON.writeValueAsString(metadata(spark,
            state)));
        target.commit();
      } catch (IOException | RuntimeException e) {
        target.abort();
        throw e instanceof RuntimeException r ? r : new IllegalStateException("saving " + path + " failed: "
            + e.getMessage(), e);
      }
    }

    @Override
    public void saveImpl(String path) {
      throw new UnsupportedOperationException("save writes the whole folder atomically");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ObjectNode metadata(SparkSession spark, PeftClassificationModel.ModelState state) throws IOException {
      ObjectNode m = JSON.createObjectNode();
      m.put("class", PeftClassificationModel.class.getName());
      m.put("timestamp", System.currentTimeMillis());
      m.put("sparkVersion", spark.version());
      m.put("uid", model.uid());
      ObjectNode set = m.putObject("paramMap");
      ObjectNode defaults = m.putObject("defaultParamMap");
      for (Param p : model.params()) {
        if (model.isSet(p)) {
          set.set(p.name(), JSON.readTree(p.jsonEncode(model.getOrDefault(p))));
        } else if (model.hasDefault(p)) {
          defaults.set(p.name(), JSON.readTree(p.jsonEncode(model.getOrDefault(p))));
        }
      }
      ObjectNode own = m.putObject("sparkpeft");
      own.put("baseModel", state.baseModel() == null ? "" : state.baseModel());
      own.put("source", state.source());
      ObjectNode text = own.putObject("text");
      text.put("maxLength", state.text().maxLength());
      text.put("truncation", state.text().truncation().name());
      text.put("normalization", state.text().normalization().name());
      text.put("maxChars", state.text().maxChars());
      text.put("from", state.text().from());
      if (state.text().chunked()) {
        text.put("chunkOverlap", state.text().chunkOverlap());
        text.put("maxChunks", state.text().maxChunks());
      }
      return m;
    }
  }

  static final class Reader extends MLReader<PeftClassificationModel> {

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public PeftClassificationModel load(String path) {
      SparkSession spark = SparkSession.active();
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      Path dir = new Path(path);
      JsonNode m;
      try {
        FileSystem fs = dir.getFileSystem(hadoop);
        OutputListing.verify(fs, dir, "model");
        try (InputStream in = fs.open(new Path(dir, METADATA))) {
          m = JSON.readTree(in);
        }
      } catch (IOException e) {
        throw new UserError("model " + path + " cannot be read: " + e.getMessage() + ".", e);
      }
      if (!PeftClassificationModel.class.getName().equals(m.path("class").asText())) {
        throw new UserError("model " + path + " holds a " + m.path("class").asText("(no class)") + ", not a "
            + PeftClassificationModel.class.getSimpleName() + ".");
      }
      JsonNode own = m.path("sparkpeft");
      JsonNode t = own.path("text");
      TextSettings text = new TextSettings(t.path("maxLength").asInt(), Truncation.parse(t.path("truncation").asText()),
          Normalization.parse(t.path("normalization").asText()), t.path("maxChars").asInt(), t.path("from").asText(),
          t.path("chunkOverlap").asInt(0), t.path("maxChunks").asInt(0));
      AdapterFiles.Files files = AdapterStore.read(hadoop, new Path(dir, "adapter").toString());
      PeftClassificationModel.ModelState state = PeftClassificationModel.ModelState.verified(hadoop, files,
          own.path("source").asText(path), own.path("baseModel").asText(""), text);
      PeftClassificationModel model = new PeftClassificationModel(m.path("uid").asText(), state);
      for (Iterator<Map.Entry<String, JsonNode>> it = m.path("paramMap").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Param p = model.getParam(e.getKey());
        model.set(p, p.jsonDecode(e.getValue().toString()));
      }
      return model;
    }
  }
}
