package org.sparkpeft.job.baseline;

import java.util.List;

/**
 * What the TF-IDF + logistic-regression baseline scored (metrics.json {@code baseline}). A split with no rows scores
 * {@code NaN} (written as null).
 *
 * @param terms what the terms are (the prepared token ids, 1-2 grams)
 * @param features size of the TF-IDF vocabulary (terms kept from the train split)
 * @param regParam the L2 regularisation chosen on validation macro-F1
 * @param grid every regularisation tried, with its validation scores
 * @param trainRows rows the model was fitted on (the train split)
 * @param valRows rows of the validation split
 * @param testRows rows of the test split
 * @param valAccuracy validation accuracy of the chosen model
 * @param valMacroF1 validation macro-F1 of the chosen model
 * @param accuracy test accuracy of the chosen model
 * @param macroF1 test macro-F1 of the chosen model
 * @param seconds wall time of the whole baseline (features, grid, scoring)
 */
public record BaselineResult(String terms, int features, double regParam, List<GridPoint> grid, long trainRows,
                             long valRows, long testRows, double valAccuracy, double valMacroF1, double accuracy,
                             double macroF1, double seconds) {

  /** One regularisation tried, scored on validation. */
  public record GridPoint(double regParam, double valAccuracy, double valMacroF1) {}

  public BaselineResult {
    grid = List.copyOf(grid);
  }
}
