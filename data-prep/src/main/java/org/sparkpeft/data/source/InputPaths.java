package org.sparkpeft.data.source;

import java.io.IOException;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;

/** Checks an input path through Hadoop before Spark reads it, so that a missing path is one clear sentence. */
final class InputPaths {

  private InputPaths() {}

  /** The qualified input path (scheme and authority filled in), after checking that something is there. */
  static String requireExisting(SparkSession spark, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null || matches.length == 0) {
        throw new UserError("input path " + path + " does not exist.");
      }
      return fs.makeQualified(p).toString();
    } catch (IOException e) {
      throw new UserError("input path " + path + " cannot be read: " + e.getMessage() + ".", e);
    }
  }
}
