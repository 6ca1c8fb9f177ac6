package org.sparkpeft.job.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.models.nativebuild.MallocSettings;

/**
 * The one place the job creates its SparkSession. What spark-submit (or spark-defaults.conf) set wins; the
 * defaults here only fill gaps: Kryo (with {@link Nd4jKryoRegistrator} added to any registrators given, so DL4J's
 * parameter-averaging results can travel), local[2] when no master was given at all (running from an IDE or a
 * plain {@code java -cp}), and glibc's allocator settings ({@link MallocSettings#ENVIRONMENT}) in each executor's
 * environment ({@code spark.executorEnv.*}), which keep an executor's off-heap memory from growing by gigabytes.
 */
public final class SparkSessions {

  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    SparkConf conf = new SparkConf();
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.master", "local[2]");
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    conf.setIfMissing("spark.sql.session.timeZone", "UTC");
    MallocSettings.ENVIRONMENT.forEach((variable, value) -> conf.setIfMissing("spark.executorEnv." + variable, value));
    conf.set(Nd4jKryoRegistrator.KEY, Nd4jKryoRegistrator.appendTo(conf.get(Nd4jKryoRegistrator.KEY, null)));
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
