package org.sparkpeft.job.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.sparkpeft.data.shard.ShardSchema;

class ShardBatchesTest {

  private static Row row(String id, int label, int bucket, int... ids) {
    List<Integer> tokens = new ArrayList<>();
    Arrays.stream(ids).forEach(tokens::add);
    return new GenericRowWithSchema(new Object[] {id, scala.collection.JavaConverters.asScalaBuffer(tokens),
        label, ids.length, bucket}, ShardSchema.SCHEMA);
  }

  @Test
  void batchesPerBucketPadToTheLongestRowAndMaskThePadding() {
    List<Row> rows = List.of(
        row("a", 0, 16, 101, 7, 102), row("b", 1, 32, 101, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 102),
        row("c", 1, 16, 101, 8, 9, 102), row("d", 0, 32, 101, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 102),
        row("e", 0, 16, 101, 5, 102));
    ShardBatches batches = new ShardBatches(rows.iterator(), 2, 2);
    List<MultiDataSet> all = new ArrayList<>();
    batches.forEachRemaining(b -> all.add(b.toMultiDataSet(2)));

    assertEquals(3, all.size(), "bucket 16 fills once (a, c), bucket 32 once (b, d), then e alone");
    MultiDataSet first = all.get(0);
    assertEquals(List.of(2L, 4L), List.of(first.getFeatures(0).size(0), first.getFeatures(0).size(1)));
    assertEquals("[[1.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]]",
        Arrays.deepToString(first.getFeaturesMaskArray(0).toFloatMatrix()));
    assertEquals(0f, first.getFeatures(0).getFloat(0, 3), "padding is token 0");
    assertEquals("[[1.0, 0.0], [0.0, 1.0]]", Arrays.deepToString(first.getLabels(0).toFloatMatrix()));
    assertEquals(19, all.get(1).getFeatures(0).size(1));
    assertEquals(1, all.get(2).getFeatures(0).size(0));
    long examples = all.stream().mapToLong(m -> m.getFeatures(0).size(0)).sum();
    assertEquals(rows.size(), examples, "every row lands in exactly one batch");
  }

  @Test
  void aLabelOutsideTheLabelMapIsNamedWithItsRow() {
    ShardBatches batches = new ShardBatches(List.of(row("x-9", 5, 16, 101, 102)).iterator(), 4, 2);
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, batches::next);
    assertEquals("shard row x-9 has label 5 outside the label map's 2 classes", error.getMessage());
  }

  @Test
  void rowsLongerThanTheTrainingLengthKeepTheirFirstTokensAndTheirSep() {
    List<Row> rows = List.of(row("a", 0, 16, 101, 7, 8, 9, 10, 102), row("b", 1, 16, 101, 5, 102));
    ShardBatches batches = new ShardBatches(rows.iterator(), 2, 2, 4);
    Minibatch batch = batches.next();
    assertEquals("0:[101, 7, 8, 102];1:[101, 5, 102];", batch.describe());
    assertEquals(4, batch.toMultiDataSet(2).getFeatures(0).size(1));
    assertEquals("0:[101, 7, 8, 9, 10, 102];", new ShardBatches(List.of(rows.get(0)).iterator(), 2, 2, 0).next()
        .describe(), "0 keeps every token");
  }
}
