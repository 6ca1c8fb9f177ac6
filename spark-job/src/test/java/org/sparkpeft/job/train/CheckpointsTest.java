package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.eval.ClassificationMetrics;
import org.sparkpeft.job.report.TrainingReport;

class CheckpointsTest {

  private static final DataIdentity DATA = new DataIdentity("file:/data/a", "file:/in/a.csv", 100, "ab".repeat(32));

  @TempDir
  Path tmp;

  @Test
  void checkpointsRoundTripExactlyKeepTheNewestTwoAndRefuseAnotherConfig() throws Exception {
    Checkpoints store = new Checkpoints(new Configuration(), new org.apache.hadoop.fs.Path(tmp.resolve("c").toUri()));
    assertTrue(store.latest("fp", DATA).isEmpty());
    for (int round : new int[] {3, 6, 9}) {
      store.write(checkpoint(round));
    }
    try (Stream<Path> files = Files.list(tmp.resolve("c"))) {
      assertEquals(List.of("round-000006.json", "round-000009.json"),
          files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList());
    }
    Checkpoint back = store.latest("fp", DATA).orElseThrow();
    Checkpoint expected = checkpoint(9);
    assertEquals(9, back.round());
    assertArrayEquals(Checkpoint.floats(expected.params()), Checkpoint.floats(back.params()));
    assertArrayEquals(new float[] {Float.MIN_VALUE, -0f, 1e-30f}, Checkpoint.floats(back.updater()));
    assertNull(back.bestScore());
    assertEquals(expected.lossCurve(), back.lossCurve());
    assertEquals(expected.validations().get(0).metrics().perClass(), back.validations().get(0).metrics().perClass());
    assertArrayEquals(expected.validations().get(0).metrics().confusion()[1],
        back.validations().get(0).metrics().confusion()[1]);
    assertEquals(expected.trainSeconds(), back.trainSeconds());

    UserError refused = assertThrows(UserError.class, () -> store.latest("another config", DATA));
    assertTrue(refused.getMessage().startsWith("checkpoint ") && refused.getMessage().contains("delete "),
        refused.getMessage());
    DataIdentity other = new DataIdentity("file:/data/a", "file:/in/b.csv", 100, "cd".repeat(32));
    UserError otherData = assertThrows(UserError.class, () -> store.latest("fp", other));
    assertTrue(otherData.getMessage().contains("file:/in/a.csv") && otherData.getMessage().contains("file:/in/b.csv")
        && otherData.getMessage().contains("abababababab") && otherData.getMessage().contains("cdcdcdcdcdcd"),
        otherData.getMessage());
    // the same content at another path resumes
    assertEquals(9, store.latest("fp", new DataIdentity("hdfs://nn/moved", "file:/in/a.csv", 100, "ab".repeat(32)))
        .orElseThrow().round());
    store.delete();
    assertFalse(Files.exists(tmp.resolve("c")));
  }

  @Test
  void checkpointsLiveInAHiddenSiblingOfTheOutput() {
    assertEquals("hdfs://nn:8020/jobs/.run1.checkpoints", Checkpoints.beside("hdfs://nn:8020/jobs/run1").toString());
    assertEquals("s3a://bucket/out/.demo.checkpoints", Checkpoints.beside("s3a://bucket/out/demo/").toString());
  }

  private static Checkpoint checkpoint(int round) {
    ClassificationMetrics metrics = new ClassificationMetrics(10, 0.25, 0.9, 0.89,
        List.of(new ClassificationMetrics.PerClass("a", 1, 0.8, 0.89, 5),
            new ClassificationMetrics.PerClass("b", 0.83, 1, 0.91, 5)),
        new long[][] {{4, 1}, {0, 5}}, List.of("a", "b"));
    return new Checkpoint(Checkpoint.FORMAT, "fp", DATA, round, 1, 2, 5, 42,
        Checkpoint.bytes(new float[] {round, -1.5f, Float.MAX_VALUE, (float) Math.PI}),
        Checkpoint.bytes(new float[] {Float.MIN_VALUE, -0f, 1e-30f}), Checkpoint.bytes(new float[] {1, 2, 3, 4}), null,
        1, false, 640, 3_000_000, 3_100_000, 12.345678901234, 20.5,
        List.of(new TrainingReport.LossPoint(1, 0.69), new TrainingReport.LossPoint(2, 0.5)),
        List.of(new TrainingReport.Validation(2, metrics)));
  }
}
