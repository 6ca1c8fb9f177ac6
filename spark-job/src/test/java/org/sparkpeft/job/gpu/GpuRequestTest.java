package org.sparkpeft.job.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkpeft.data.UserError;

class GpuRequestTest {

  @Test
  void noGpuSettingsMeanNoRequest() {
    GpuRequest request = GpuRequest.of(new SparkConf(false));
    assertFalse(request.requested());
    assertFalse(request.needsStageProfile());
  }

  @Test
  void ourTaskAmountAsksForAStageProfileSparksOwnDoesNot() {
    GpuRequest stage = GpuRequest.of(new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "0.5"));
    assertTrue(stage.requested());
    assertTrue(stage.needsStageProfile());
    assertEquals(0.5, stage.taskAmount());
    assertEquals(1, stage.executorAmount());

    GpuRequest every = GpuRequest.of(new SparkConf(false).set(GpuRequest.SPARK_TASK_AMOUNT, "1")
        .set(GpuRequest.TASK_AMOUNT, "2"));
    assertTrue(every.everyStage());
    assertFalse(every.needsStageProfile(), "every task already holds a GPU");
    assertEquals(1.0, every.taskAmount());
  }

  @Test
  void malformedAmountsAreOneSentenceNamingTheKey() {
    UserError bad = assertThrows(UserError.class,
        () -> GpuRequest.of(new SparkConf(false).set(GpuRequest.TASK_AMOUNT, "one")));
    assertEquals("spark.sparkpeft.gpu.task-amount must be a number of GPUs such as 1 or 0.5, got 'one'.", bad.getMessage());
    UserError negative = assertThrows(UserError.class,
        () -> GpuRequest.of(new SparkConf(false).set(GpuRequest.SPARK_TASK_AMOUNT, "-1")));
    assertTrue(negative.getMessage().startsWith("spark.task.resource.gpu.amount must be"), negative.getMessage());
    UserError fraction = assertThrows(UserError.class, () -> GpuRequest.of(new SparkConf(false)
        .set(GpuRequest.TASK_AMOUNT, "1").set(GpuRequest.EXECUTOR_AMOUNT, "1.5")));
    assertTrue(fraction.getMessage().startsWith("spark.sparkpeft.gpu.executor-amount must be a whole number"),
        fraction.getMessage());
  }
}
