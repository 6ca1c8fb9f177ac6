package org.sparkpeft.job.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpeft.data.UserError;
import org.sparkpeft.models.BaseModel;

/**
 * Where a base model lives: the bundled default (all-MiniLM-L6-v2, on the classpath of driver and executors), or
 * a folder on any Hadoop file system (file://, hdfs://, s3a://) holding one {@code .onnx} export and its
 * {@code tokenizer.json}. Small and serialisable, so tasks carry it instead of the weights.
 *
 * @param path the folder, or null for the default model
 */
public record ModelLocation(String path) implements Serializable {

  public static ModelLocation defaultModel() {
    return new ModelLocation(null);
  }

  public boolean isDefault() {
    return path == null;
  }

  /** Loads and imports the model (never downloads). */
  public BaseModel load(Configuration conf) {
    if (isDefault()) {
      return BaseModel.defaultModel();
    }
    Path folder = new Path(path);
    try {
      FileSystem fs = folder.getFileSystem(conf);
      if (!fs.exists(folder)) {
        throw new UserError("model " + path + " does not exist.");
      }
      if (!fs.getFileStatus(folder).isDirectory()) {
        throw new UserError("model " + path + " must be a folder holding model.onnx and tokenizer.json.");
      }
      FileStatus[] onnx = fs.listStatus(folder, p -> p.getName().endsWith(".onnx"));
      if (onnx.length != 1) {
        throw new UserError("model folder " + path + " must hold exactly one .onnx file, found "
            + Arrays.stream(onnx).map(s -> s.getPath().getName()).toList() + ".");
      }
      Path tokenizer = new Path(folder, "tokenizer.json");
      if (!fs.exists(tokenizer)) {
        throw new UserError("model folder " + path + " has no tokenizer.json.");
      }
      byte[] tokenizerJson;
      try (InputStream in = fs.open(tokenizer)) {
        tokenizerJson = in.readAllBytes();
      }
      try (InputStream in = fs.open(onnx[0].getPath())) {
        return BaseModel.load(path, in, tokenizerJson);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage() + ".", e);
      }
    } catch (IOException e) {
      throw new UserError("model " + path + " cannot be read: " + e.getMessage() + ".", e);
    }
  }

  @Override
  public String toString() {
    return isDefault() ? "default (" + org.sparkpeft.tokenizer.DefaultModel.ID + ")" : path;
  }
}
