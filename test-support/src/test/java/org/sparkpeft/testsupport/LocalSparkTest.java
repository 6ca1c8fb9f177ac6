package org.sparkpeft.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class LocalSparkTest {

  @Test
  void theBuildPassesSparksModuleFlagsToTestJvms() {
    assertEquals(List.of(), JvmFlags.missingFromThisJvm(),
        "surefire's argLine must carry every flag of Spark's JavaModuleOptions");
  }

  @Test
  void localTwoRunsAShuffleWithKryoAcrossTwoThreads() {
    try (SparkSession spark = LocalSpark.start("local-spark-test")) {
      assertEquals("local[2]", spark.sparkContext().master());
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<Integer> numbers = IntStream.rangeClosed(1, 10_000).boxed().collect(Collectors.toList());
      // a value type that needs reflective access under Kryo on Java 17
      List<Long> sums = jsc.parallelize(numbers, 8)
          .mapToPair(n -> new scala.Tuple2<>(n % 3, new ConcurrentHashMap<>(java.util.Map.of("n", (long) n))))
          .reduceByKey((a, b) -> {
            ConcurrentHashMap<String, Long> merged = new ConcurrentHashMap<>(a);
            merged.merge("n", b.get("n"), Long::sum);
            return merged;
          })
          .map(pair -> pair._2().get("n"))
          .collect();
      assertEquals(50_005_000L, sums.stream().mapToLong(Long::longValue).sum());
      assertEquals(3, sums.size());

      Dataset<Row> df = spark.range(0, 1000).selectExpr("id", "id % 7 AS bucket").groupBy("bucket").count();
      assertEquals(7, df.count());
      long threads = jsc.parallelize(numbers, 8)
          .map(n -> Thread.currentThread().getName()).distinct().count();
      assertTrue(threads >= 2, "local[2] should run tasks on two executor threads, saw " + threads);
    }
  }
}
