package org.sparkpeft.job.gpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.apache.spark.SparkConf;
import org.apache.spark.resource.ExecutorResourceRequest;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.TaskResourceProfile;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.data.UserError;

/** The stage-level profile that puts only model stages on GPUs, and the driver's refusals (tests run the CPU backend). */
class GpuStagesTest {

  private static final String CLUSTER = "spark://127.0.0.1:7077";

  @Test
  void modelStagesAskForTheTaskAmountOnTheDefaultExecutorsWithoutDynamicAllocation() {
    SparkConf conf = new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "1").set("spark.task.cpus", "2")
        .set(GpuRequest.SPARK_EXECUTOR_AMOUNT, "1");
    ResourceProfile profile = GpuStages.build(conf, CLUSTER).orElseThrow();
    assertTrue(profile instanceof TaskResourceProfile, "task resources only, on the executors the job has: " + profile);
    assertEquals(1.0, profile.taskResources().get("gpu").get().amount());
    assertEquals(2.0, profile.taskResources().get("cpus").get().amount());
    assertTrue(profile.executorResources().isEmpty(), profile.toString());
  }

  @Test
  void underDynamicAllocationModelStagesGetGpuExecutorsOfTheirOwn() {
    SparkConf conf = new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "1").set(GpuRequest.EXECUTOR_AMOUNT, "2")
        .set("spark.dynamicAllocation.enabled", "true").set("spark.executor.cores", "4")
        .set(GpuRequest.SPARK_DISCOVERY_SCRIPT, "/opt/sparkpeft/conf/gpu-discovery.sh");
    ResourceProfile profile = GpuStages.build(conf, CLUSTER).orElseThrow();
    ExecutorResourceRequest gpu = profile.executorResources().get("gpu").get();
    assertEquals(2, gpu.amount());
    assertEquals("/opt/sparkpeft/conf/gpu-discovery.sh", gpu.discoveryScript());
    assertEquals(4, profile.executorResources().get("cores").get().amount());
    assertEquals(1.0, profile.taskResources().get("gpu").get().amount());
  }

  @Test
  void noProfileWhenEveryTaskHoldsAGpuNoneIsAskedForOrTheMasterIsLocal() {
    assertEquals(Optional.empty(), GpuStages.build(new SparkConf(false), CLUSTER));
    assertEquals(Optional.empty(), GpuStages.build(new SparkConf(false).set(GpuRequest.SPARK_TASK_AMOUNT, "1"), CLUSTER));
    assertEquals(Optional.empty(), GpuStages.build(new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "1"), "local[2]"));
    assertTrue(GpuStages.build(new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "1"), "local-cluster[1,2,1024]").isPresent());
  }

  @Test
  void aGpuRequestOnTheCpuBackendIsRefusedInOneSentenceUnlessRecordingIsAllowed() {
    assertTrue(Nd4j.getEnvironment().isCPU(), "the tests run ND4J's CPU backend");
    SparkConf conf = new SparkConf(false).set(GpuRequest.SPARK_TASK_AMOUNT, "1");
    UserError refused = assertThrows(UserError.class, () -> GpuStages.check(conf, CLUSTER));
    assertEquals("GPU requested (spark.task.resource.gpu.amount) but the job jar carries ND4J's CPU backend; build "
        + "the CUDA job jar with mvn -Pcuda and run with bin/sparkpeft --gpu (or submit "
        + "spark-job/target/sparkpeft-job-cuda.jar).", refused.getMessage());
    assertDoesNotThrow(() -> GpuStages.check(conf.clone().set(GpuRequest.ALLOW_CPU_BACKEND, "true"), CLUSTER));
    assertDoesNotThrow(() -> GpuStages.check(conf, "local[2]"), "local mode assigns no GPUs: nothing to refuse");
  }

  @Test
  void stageGpusOnExecutorsWithoutGpusAreRefusedNamingTheKeys() {
    SparkConf conf = new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "1").set(GpuRequest.ALLOW_CPU_BACKEND, "true");
    UserError refused = assertThrows(UserError.class, () -> GpuStages.check(conf, CLUSTER));
    assertEquals("spark.sparkpeft.gpu.task-amount asks for GPUs per model task but the executors have none: set "
        + "spark.executor.resource.gpu.amount and spark.executor.resource.gpu.discoveryScript "
        + "(conf/spark-gpu.conf), or enable dynamic allocation.", refused.getMessage());
    assertDoesNotThrow(() -> GpuStages.check(conf.clone().set("spark.dynamicAllocation.enabled", "true"), CLUSTER));
  }
}
