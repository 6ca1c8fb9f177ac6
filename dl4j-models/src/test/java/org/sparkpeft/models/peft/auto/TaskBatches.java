package org.sparkpeft.models.peft.auto;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.sparkpeft.models.train.TokenBatch;

/** Labelled token batches for the tiny BERT (vocab 40, 16 positions): label 1 iff the row holds token 7. */
public final class TaskBatches {

  private TaskBatches() {}

  public static List<TokenBatch> of(long seed, int batches, int rows) {
    Random random = new Random(seed);
    List<TokenBatch> out = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      int[][] ids = new int[rows][];
      int[] labels = new int[rows];
      for (int r = 0; r < rows; r++) {
        int length = 5 + random.nextInt(9);
        int[] row = new int[length];
        row[0] = 1;
        for (int t = 1; t < length; t++) {
          int token = 2 + random.nextInt(38);
          row[t] = token == 7 ? 8 : token;
        }
        labels[r] = random.nextBoolean() ? 1 : 0;
        if (labels[r] == 1) {
          row[1 + random.nextInt(length - 1)] = 7;
        }
        ids[r] = row;
      }
      out.add(new TokenBatch(ids, labels));
    }
    return out;
  }
}
