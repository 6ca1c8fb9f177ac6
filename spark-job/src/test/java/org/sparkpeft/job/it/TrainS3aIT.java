package org.sparkpeft.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.job.cli.TrainCommand;
import org.sparkpeft.job.spark.Nd4jKryoRegistrator;
import org.sparkpeft.job.train.TicketData;
import org.sparkpeft.job.train.config.TrainConfigLoader;
import org.sparkpeft.testsupport.LocalSpark;
import org.sparkpeft.testsupport.S3Server;

/** {@code train} writes its output (adapter, metrics, report) to s3a:// through Hadoop's S3A file system. */
class TrainS3aIT {

  @TempDir
  Path tmp;

  @Test
  void theAdapterIsWrittenToS3a() throws Exception {
    try (S3Server s3 = S3Server.start(tmp.resolve("s3"))) {
      s3.createBucket("runs");
      SparkSession.Builder builder = LocalSpark.builder("train-s3a-it")
          .config(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.class.getName());
      s3.sparkConf().forEach(builder::config);
      try (SparkSession spark = builder.getOrCreate()) {
        Path data = TicketData.prepare(spark, tmp, 200);
        String output = "s3a://runs/tickets/lora";
        int code = new TrainCommand().run(spark, TrainConfigLoader.load(null, List.of("data=" + data.toUri(),
            "output.path=" + output, "train.epochs=1", "train.batch-size=8", "train.averaging-frequency=2",
            "eval.every-rounds=0")));
        assertEquals(0, code);
        Configuration conf = new Configuration();
        s3.hadoopConf().forEach(conf::set);
        FileSystem fs = FileSystem.get(URI.create("s3a://runs/"), conf);
        for (String file : new String[] {"adapter/adapter_config.json", "adapter/adapter_model.safetensors",
            "metrics.json", "report.html", "_SUCCESS"}) {
          assertTrue(fs.exists(new org.apache.hadoop.fs.Path(output + "/" + file)), "missing " + file);
        }
        assertTrue(fs.getFileStatus(new org.apache.hadoop.fs.Path(output + "/adapter/adapter_model.safetensors"))
            .getLen() > 290_000, "the LoRA + head tensors");
      }
    }
  }
}
