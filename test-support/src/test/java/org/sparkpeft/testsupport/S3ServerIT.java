package org.sparkpeft.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ServerIT {

  @TempDir
  Path tmp;

  @Test
  void sparkWritesAndReadsADatasetThroughS3a() throws Exception {
    try (S3Server s3 = S3Server.start(tmp.resolve("s3"))) {
      s3.createBucket("sparkpeft-it");
      SparkSession.Builder builder = LocalSpark.builder("s3a-test");
      s3.sparkConf().forEach(builder::config);
      try (SparkSession spark = builder.getOrCreate()) {
        String url = "s3a://sparkpeft-it/data/numbers";
        spark.range(0, 2000).selectExpr("id", "id * 2 AS twice").repartition(2).write().parquet(url);

        Configuration conf = new Configuration();
        s3.hadoopConf().forEach(conf::set);
        FileSystem fs = FileSystem.get(URI.create("s3a://sparkpeft-it/"), conf);
        assertEquals("s3a", fs.getScheme());
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(url + "/_SUCCESS")), "no _SUCCESS marker in " + url);

        Dataset<Row> back = spark.read().parquet(url);
        assertEquals(2000, back.count());
        assertEquals(3_998_000L, back.selectExpr("sum(twice)").first().getLong(0));
      }
    }
  }
}
