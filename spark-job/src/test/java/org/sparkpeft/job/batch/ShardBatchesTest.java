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
import org.sparkpeft.tokenizer.TextTokenizer;
import org.sparkpeft.tokenizer.Truncation;

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

  @Test
  void aRowPreparedWithTailOrHeadTailIsCutAsTokenizingItsTextShorterWould() {
    String text = "Dear list member, thank you for the report about the broken mirror. Below is the full log of the "
        + "failed build, followed by the configuration we used and a few notes on how to reproduce the problem on a "
        + "clean machine. To unsubscribe from this mailing list, visit the list's web page and enter your address.";
    byte[] json = TextTokenizer.defaultTokenizerJson();
    for (Truncation truncation : Truncation.values()) {
      try (TextTokenizer prepared = TextTokenizer.fromJson("m", json, 32, truncation);
          TextTokenizer shorter = TextTokenizer.fromJson("m", json, 12, truncation)) {
        int[] row = prepared.encode(text).ids();
        assertEquals(32, row.length, "the text is longer than the prepared length");
        Minibatch batch = new ShardBatches(List.of(row("a", 0, 32, row)).iterator(), 1, 2, 12, truncation).next();
        assertEquals("0:" + Arrays.toString(shorter.encode(text).ids()) + ";", batch.describe(),
            truncation + ": the cut row equals the text tokenized at 12");
      }
    }
    assertEquals("0:[101, 7, 10, 102];", new ShardBatches(List.of(row("b", 0, 16, 101, 7, 8, 9, 10, 102)).iterator(),
        1, 2, 4, Truncation.HEAD_TAIL).next().describe(), "head_tail keeps the first and the last content token");
  }
}
