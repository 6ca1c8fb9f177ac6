package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.io.AdapterFiles;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.testsupport.MiniDfs;
import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * {@code train} from the shaded job jar on a standalone cluster (2 executor JVMs), reading prepared shards from
 * hdfs:// and writing metrics.json, report.html and _SUCCESS to hdfs://; then {@code predict} on the same cluster
 * with the adapter, the input and the output on hdfs://.
 */
class TrainClusterIT {

  @TempDir
  Path tmp;

  @Test
  void trainsLoraOnTwoExecutorsWithDataAndOutputOnHdfs() throws Exception {
    try (MiniDfs dfs = MiniDfs.start(tmp.resolve("dfs"))) {
      String data = dfs.url("/prepared/tickets");
      try (SparkSession spark = LocalSpark.start("prepare-for-train-it")) {
        TicketData.prepare(spark, tmp, 400, data);
      }
      String output = dfs.url("/runs/tickets-lora");
      try (StandaloneCluster cluster = JobJarCluster.start(tmp, "2g")) {
        StandaloneCluster.Submission run = JobJarCluster.submit(cluster, "1536m", Map.of("spark.driver.memory", "2g"),
            List.of("train", "--data", data, "--output", output, "--epochs", "2", "--workers", "2",
                "train.batch-size=8", "train.averaging-frequency=2", "eval.every-rounds=4", "optimizer.lr=2e-3"),
            Duration.ofMinutes(8));
        assertEquals(0, run.exitCode(), run.log());
        assertTrue(run.log().contains("trained lora on sentence-transformers/all-MiniLM-L6-v2"), run.log());

        // predict with the adapter on hdfs://, input and output on hdfs:// too
        FileSystem dfsFs = FileSystem.get(dfs.uri(), dfs.conf());
        dfsFs.copyFromLocalFile(new org.apache.hadoop.fs.Path(tmp.resolve("tickets.csv").toUri()),
            new org.apache.hadoop.fs.Path(dfs.url("/inputs/tickets.csv")));
        String scored = dfs.url("/scored/tickets.jsonl");
        StandaloneCluster.Submission predict = JobJarCluster.submit(cluster, "1536m",
            Map.of("spark.driver.memory", "2g"), List.of("predict", "--adapter", output + "/adapter", "--input",
                dfs.url("/inputs/tickets.csv"), "--text-col", "description", "--id-col", "id", "--output", scored),
            Duration.ofMinutes(6));
        assertEquals(0, predict.exitCode(), predict.log());
        assertTrue(predict.log().contains("max length 32"), "text prepared as in training:\n" + predict.log());
        int right = 0;
        int rows = 0;
        for (org.apache.hadoop.fs.FileStatus part : dfsFs.listStatus(new org.apache.hadoop.fs.Path(scored),
            p -> p.getName().startsWith("part-"))) {
          try (InputStream in = dfsFs.open(part.getPath())) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
              if (line.isBlank()) {
                continue;
              }
              JsonNode row = new ObjectMapper().readTree(line);
              rows++;
              String expected = Integer.parseInt(row.get("id").asText().substring(1)) % 2 == 0 ? "billing"
                  : "technical";
              right += expected.equals(row.at("/predictions/0/label").asText()) ? 1 : 0;
            }
          }
        }
        assertEquals(400, rows);
        assertTrue(right >= 360, right + " of 400 tickets predicted right");
      }
      FileSystem fs = FileSystem.get(dfs.uri(), dfs.conf());
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(output + "/_SUCCESS")));
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(output + "/report.html")));
      JsonNode metrics;
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(output + "/metrics.json"))) {
        metrics = new ObjectMapper().readTree(in);
      }
      assertEquals("lora", metrics.get("method").asText());
      assertTrue(metrics.at("/test/accuracy").asDouble() >= 0.9, metrics.toPrettyString());
      long moved = metrics.at("/train/bytes_per_round_broadcast").asLong()
          + metrics.at("/train/bytes_per_round_collected").asLong();
      assertTrue(moved * 50 < metrics.at("/train/stock_bytes_per_round").asLong(), metrics.toPrettyString());

      // the adapter written to HDFS loads onto a fresh base in this JVM
      byte[] config;
      byte[] weights;
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(output + "/adapter/" + AdapterFiles.CONFIG))) {
        config = in.readAllBytes();
      }
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(output + "/adapter/" + AdapterFiles.WEIGHTS))) {
        weights = in.readAllBytes();
      }
      AdapterFiles.Loaded adapter = AdapterFiles.load(BaseModel.defaultModel(), new AdapterFiles.Files(config, weights),
          output);
      assertEquals(List.of("billing", "technical"), adapter.info().labels());
      assertEquals(74_498, adapter.model().trainableCount());
    }
  }
}
