package org.sparkpeft.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniDfsIT {

  @TempDir
  Path tmp;

  @Test
  void sparkWritesAndReadsADatasetThroughHdfs() throws Exception {
    try (MiniDfs dfs = MiniDfs.start(tmp.resolve("dfs"));
         SparkSession spark = LocalSpark.start("minidfs-test")) {
      String url = dfs.url("/sparkpeft/it/numbers");
      spark.range(0, 5000).selectExpr("id", "concat('row-', id) AS text")
          .repartition(3).write().parquet(url);

      FileSystem fs = FileSystem.get(dfs.uri(), dfs.conf());
      assertEquals("hdfs", fs.getScheme());
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(url + "/_SUCCESS")));
      int parquetFiles = 0;
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(new org.apache.hadoop.fs.Path(url), false);
      while (files.hasNext()) {
        if (files.next().getPath().getName().endsWith(".parquet")) {
          parquetFiles++;
        }
      }
      assertEquals(3, parquetFiles);

      Dataset<Row> back = spark.read().parquet(url);
      assertEquals(5000, back.count());
      assertEquals(12_497_500L, back.selectExpr("sum(id)").first().getLong(0));
      assertEquals("row-4999", back.where("id = 4999").first().getString(1));
    }
  }
}
