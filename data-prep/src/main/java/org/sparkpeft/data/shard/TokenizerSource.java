package org.sparkpeft.data.shard;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.TokenizeSpec;
import org.sparkpeft.tokenizer.DefaultModel;
import org.sparkpeft.tokenizer.TextTokenizer;

/**
 * The tokenizer.json bytes the executors will use, read once on the driver (from any Hadoop file system, or the
 * bundled default model) and checked by building a tokenizer from them.
 *
 * @param id the tokenizer's name in the manifest (the default model id, or the path given)
 * @param json the tokenizer.json bytes
 * @param sha256 hex SHA-256 of the bytes
 */
public record TokenizerSource(String id, byte[] json, String sha256) {

  public static TokenizerSource load(Configuration conf, TokenizeSpec spec) {
    String id;
    byte[] bytes;
    if (spec.tokenizerPath() == null) {
      id = DefaultModel.ID;
      bytes = TextTokenizer.defaultTokenizerJson();
    } else {
      id = spec.tokenizerPath();
      bytes = read(conf, spec.tokenizerPath());
    }
    try (TextTokenizer check = TextTokenizer.fromJson(id, bytes, spec.maxLength())) {
      return new TokenizerSource(id, bytes, check.sha256());
    } catch (IllegalArgumentException e) {
      throw new UserError("tokenizer.path " + id + " is not a Hugging Face tokenizer.json.", e);
    }
  }

  private static byte[] read(Configuration conf, String location) {
    Path path = new Path(location);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new UserError("tokenizer.path (--model) " + location + " does not exist.");
      }
      if (fs.getFileStatus(path).isDirectory()) {
        path = new Path(path, "tokenizer.json");
        if (!fs.exists(path)) {
          throw new UserError("model folder " + location + " has no tokenizer.json.");
        }
      }
      try (InputStream in = fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UserError("tokenizer.path " + location + " cannot be read: " + e.getMessage() + ".", e);
    }
  }
}
