package org.sparkpeft.data.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.PrepareFixture;
import org.sparkpeft.data.PrepareResult;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.testsupport.S3Server;

/** The prepare job reading a CSV from s3a:// and writing shards, rejects and manifest to s3a://. */
class PrepareS3aIT {

  @TempDir
  Path tmp;

  @Test
  void prepareReadsFromAndWritesToS3a() throws Exception {
    try (S3Server s3 = S3Server.start(tmp.resolve("s3"))) {
      s3.createBucket("sparkpeft-data");
      Configuration conf = new Configuration();
      s3.hadoopConf().forEach(conf::set);
      FileSystem fs = FileSystem.get(URI.create("s3a://sparkpeft-data/"), conf);
      StringBuilder csv = new StringBuilder("text,label\n");
      for (int i = 0; i < 60; i++) {
        csv.append("\"review ").append(i).append(",\nsecond line\",").append(i % 2 == 0 ? "good" : "bad").append('\n');
      }
      csv.append("no label here,\n");
      try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path("s3a://sparkpeft-data/raw/reviews.csv"))) {
        out.write(csv.toString().getBytes(StandardCharsets.UTF_8));
      }
      SparkSession.Builder builder = LocalSpark.builder("prepare-s3a");
      s3.sparkConf().forEach(builder::config);
      String output = "s3a://sparkpeft-data/prepared/reviews";
      try (SparkSession spark = builder.getOrCreate()) {
        PrepareResult result = PrepareFixture.prepare(spark, "input.path=s3a://sparkpeft-data/raw/reviews.csv",
            "input.format=csv", "output.path=" + output);
        assertEquals(61, result.manifest().counts().inputRows());
        assertEquals(60, spark.read().parquet(output + "/train").count() + spark.read().parquet(output + "/val").count()
            + spark.read().parquet(output + "/test").count());
        assertEquals(1, spark.read().json(output + "/rejects").where("reason = 'missing_label'").count());
        UserError again = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
            () -> PrepareFixture.prepare(spark, "input.path=s3a://sparkpeft-data/raw/reviews.csv",
                "input.format=csv", "output.path=" + output));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
      }
      Manifest m = ManifestJson.read(conf, new org.apache.hadoop.fs.Path(output));
      assertEquals(Map.of("bad", 0, "good", 1), m.labelMap());
      assertEquals(60, m.counts().shardRows());
      for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path("s3a://sparkpeft-data/prepared/"))) {
        assertFalse(s.getPath().getName().contains("inprogress"), "temp dir left: " + s.getPath());
      }
    }
  }
}
