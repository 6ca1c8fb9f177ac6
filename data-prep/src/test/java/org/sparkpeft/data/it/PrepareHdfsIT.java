package org.sparkpeft.data.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.manifest.Manifest;
import org.sparkpeft.data.manifest.ManifestJson;
import org.sparkpeft.testsupport.Jars;
import org.sparkpeft.testsupport.MiniDfs;
import org.sparkpeft.testsupport.StandaloneCluster;

/**
 * The prepare job submitted to a real standalone cluster (master + 2 worker JVMs) with input and output on HDFS:
 * emails read by the executors from hdfs://, shards, rejects and manifest written back to hdfs://.
 */
class PrepareHdfsIT {

  @TempDir
  Path tmp;

  @Test
  void prepareRunsOnAStandaloneClusterFromHdfsToHdfs() throws Exception {
    try (MiniDfs dfs = MiniDfs.start(tmp.resolve("dfs"))) {
      FileSystem fs = FileSystem.get(dfs.uri(), dfs.conf());
      int emails = 0;
      for (String group : List.of("spam-1", "easy-ham-1", "hard-ham-1")) {
        for (int i = 0; i < 40; i++) {
          String body = "Subject: " + group + " message " + i + "\nContent-Type: text/plain\n\n"
              + (group.startsWith("spam") ? "Cheap offer number " : "Meeting notes item ") + i + " for " + group + "\n";
          put(fs, dfs.url("/in/" + group + "/" + i + ".txt"), body);
          emails++;
        }
      }
      put(fs, dfs.url("/in/spam-1/empty.txt"), "Subject:\n\n");
      String out = dfs.url("/prepared/mail");
      Path jar = Jars.of(tmp.resolve("app.jar"), PrepareApp.class);
      try (StandaloneCluster cluster = StandaloneCluster.start(
          StandaloneCluster.Spec.ofThisClasspath(2, tmp.resolve("cluster")))) {
        StandaloneCluster.Submission run = cluster.submit(PrepareApp.class.getName(), jar,
            Map.of("spark.executor.memory", "1g", "spark.executor.cores", "1",
                "spark.scheduler.minRegisteredResourcesRatio", "1.0",
                "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s",
                "spark.sql.shuffle.partitions", "4"),
            List.of("input.path=" + dfs.url("/in"), "input.format=email", "input.file-glob=*.txt",
                "input.labels=spam-*=spam,*-ham-*=ham", "output.path=" + out),
            Duration.ofMinutes(5));
        assertEquals(0, run.exitCode(), run.log());
        assertTrue(run.log().contains("executors 3"), "driver + 2 executors:\n" + run.log());
      }
      Manifest m = ManifestJson.read(dfs.conf(), new org.apache.hadoop.fs.Path(out));
      assertEquals(emails + 1, m.counts().inputRows());
      assertEquals(emails, m.counts().shardRows());
      assertEquals(Map.of("empty_text", 1L), m.counts().rejectsByReason());
      assertEquals(Map.of("ham", 0, "spam", 1), m.labelMap());
      assertEquals(80L, m.splits().values().stream().mapToLong(s -> s.labels().get("ham")).sum());
      for (String split : List.of("train", "val", "test", "rejects")) {
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/" + split + "/_SUCCESS")), split);
      }
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/label_map.json")));
    }
  }

  private static void put(FileSystem fs, String url, String text) throws Exception {
    try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(url))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
