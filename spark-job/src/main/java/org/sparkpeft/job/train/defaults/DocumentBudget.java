package org.sparkpeft.job.train.defaults;

import java.util.Locale;

/**
 * The compute budget of chunked data ({@code tokenizer.long-text = chunk}), in row-tokens (training rows x tokens
 * per row, summed over epochs, the unit of {@link DefaultsChooser}'s budget). A document cut into windows is one
 * labelled example, so the budget counts documents, not windows:
 * <ul>
 *   <li><b>per document</b>: {@value DefaultsChooser#BUDGET_EPOCHS} epochs of each document's windows, counted on
 *     at least {@value DefaultsChooser#BUDGET_FLOOR_ROWS} documents (as rows are): 141 documents get
 *     4 x 3,500 / 141 = 99 epochs of their windows before the cap;</li>
 *   <li><b>cap</b>: {@value DefaultsChooser#CHUNKED_CAP} times the demo's budget per document,
 *     {@value DefaultsChooser#CHUNKED_CAP} x {@value DefaultsChooser#BUDGET_TOKENS_PER_ROW} row-tokens per
 *     document counted on at least {@value DefaultsChooser#BUDGET_FLOOR_ROWS}: a chunked run of up to 5,000
 *     documents spends at most {@value DefaultsChooser#CHUNKED_CAP}x the row-tokens of the demo's budget per 5,000
 *     rows (about that multiple of its time where time follows tokens; more documents, proportionally more);</li>
 *   <li><b>never less</b> than the windows would get counted as rows (the unchunked rule), so chunking never
 *     shortens training.</li>
 * </ul>
 *
 * @param rowTokens the budget: max(rows budget, min(per document, cap))
 * @param perDocument the per-document budget before the cap
 * @param cap the cap
 * @param asRows the budget of the windows counted as rows
 * @param epochCost row-tokens of one epoch (windows x mean window cost at the training length)
 * @param documents documents of the train split
 * @param windows windows (rows) of the train split
 */
record DocumentBudget(double rowTokens, double perDocument, double cap, double asRows, double epochCost,
                      long documents, long windows) {

  DocumentBudget {
    if (documents < 1 || windows < documents || epochCost <= 0) {
      throw new IllegalArgumentException("a document budget needs documents, at least one window each, and a cost");
    }
  }

  /** The budget of chunked {@code facts} trained at {@code length} tokens per window. */
  static DocumentBudget of(DataFacts facts, int length) {
    if (!facts.chunked()) {
      throw new IllegalArgumentException("the data is not chunked: its budget counts rows");
    }
    long documents = facts.trainDocuments();
    double counted = Math.max(documents, DefaultsChooser.BUDGET_FLOOR_ROWS);
    double epochCost = facts.trainRows() * facts.meanCostLength(length);
    double perDocument = DefaultsChooser.BUDGET_EPOCHS * (counted / documents) * epochCost;
    double cap = DefaultsChooser.CHUNKED_CAP * DefaultsChooser.BUDGET_TOKENS_PER_ROW * counted;
    double asRows = DefaultsChooser.BUDGET_TOKENS_PER_ROW
        * (double) Math.max(facts.trainRows(), DefaultsChooser.BUDGET_FLOOR_ROWS);
    return new DocumentBudget(Math.max(asRows, Math.min(perDocument, cap)), perDocument, cap, asRows, epochCost,
        documents, facts.trainRows());
  }

  /** Epochs of the windows the budget pays for (before the chooser's bounds). */
  double epochs() {
    return rowTokens / epochCost;
  }

  /** The train.epochs reason: the three budgets in epochs of the windows, and which one decided. */
  String reason(int minEpochs, int maxEpochs) {
    String decided = rowTokens == asRows && asRows > Math.min(perDocument, cap) ? "the windows-as-rows budget"
        : perDocument <= cap ? "the per-document budget" : "the cap";
    return String.format(Locale.ROOT, "compute budget per document: %d epochs of the windows of %,d documents, "
            + "counted as at least %,d = %.1f epochs; cap %dx the demo's time per 5,000 documents = %.1f epochs; the "
            + "windows as rows = %.1f epochs; %s decides: %.1f epochs of %,d windows at %.0f tokens/window (%d..%d)",
        DefaultsChooser.BUDGET_EPOCHS, documents, DefaultsChooser.BUDGET_FLOOR_ROWS, perDocument / epochCost,
        DefaultsChooser.CHUNKED_CAP, cap / epochCost, asRows / epochCost, decided, epochs(), windows,
        epochCost / windows, minEpochs, maxEpochs);
  }
}
