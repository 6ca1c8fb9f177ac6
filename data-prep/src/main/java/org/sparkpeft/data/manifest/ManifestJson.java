package org.sparkpeft.data.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpeft.data.shard.ShardSchema;

/** Reads and writes {@code manifest.json} and {@code label_map.json} on any Hadoop file system. */
public final class ManifestJson {

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ManifestJson() {}

  public static String toJson(Manifest manifest) throws IOException {
    return JSON.writeValueAsString(manifest);
  }

  public static Manifest fromJson(String json) throws IOException {
    return JSON.readValue(json, Manifest.class);
  }

  public static void write(Configuration conf, Path dir, Manifest manifest) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    try (OutputStream out = fs.create(new Path(dir, ShardSchema.MANIFEST), false)) {
      JSON.writeValue(out, manifest);
    }
    try (OutputStream out = fs.create(new Path(dir, ShardSchema.LABEL_MAP), false)) {
      JSON.writeValue(out, manifest.labelMap());
    }
  }

  /** The manifest of a prepared dataset folder. */
  public static Manifest read(Configuration conf, Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    try (InputStream in = fs.open(new Path(dir, ShardSchema.MANIFEST))) {
      return JSON.readValue(in, Manifest.class);
    }
  }

  /** label_map.json: label name to index, names sorted. */
  public static Map<String, Integer> readLabelMap(Configuration conf, Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    try (InputStream in = fs.open(new Path(dir, ShardSchema.LABEL_MAP))) {
      return JSON.readValue(in, new TypeReference<Map<String, Integer>>() {});
    }
  }
}
