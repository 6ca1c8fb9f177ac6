package org.sparkpeft.models.bert.layers;

/**
 * One operand of attention's per-(example, head) products: a c-order array and where the [rows, cols] matrix of
 * example b, head h lies in it. Two layouts:
 * <ul>
 *   <li>{@link Layout#COLUMNS}: the projections' own [batch * rows, heads * cols] layout, head h in columns
 *       [h * cols, (h + 1) * cols) (leading dimension heads * cols). Products read and write it in place, so the
 *       heads need no split into (and merge out of) a [batch, heads, rows, cols] copy.</li>
 *   <li>{@link Layout#SLICES}: [batch, heads, rows, cols], each matrix contiguous (the scores and probabilities).</li>
 * </ul>
 */
record HeadView(org.nd4j.linalg.api.ndarray.INDArray array, Layout layout, long batch, int heads, int rows,
                int cols) {

  enum Layout { COLUMNS, SLICES }

  /** {@code x2d} [batch * rows, heads * cols] seen as per-head matrices. */
  static HeadView columns(org.nd4j.linalg.api.ndarray.INDArray x2d, long batch, int heads) {
    return new HeadView(x2d, Layout.COLUMNS, batch, heads, (int) (x2d.size(0) / batch), (int) (x2d.size(1) / heads));
  }

  /** {@code x4d} [batch, heads, rows, cols]. */
  static HeadView slices(org.nd4j.linalg.api.ndarray.INDArray x4d) {
    return new HeadView(x4d, Layout.SLICES, x4d.size(0), (int) x4d.size(1), (int) x4d.size(2), (int) x4d.size(3));
  }

  /** The distance between consecutive rows of one matrix. */
  int leadingDimension() {
    return layout == Layout.COLUMNS ? heads * cols : cols;
  }

  /** Where matrix (example, head) starts, in elements from the array's first. */
  long offset(long example, int head) {
    return layout == Layout.COLUMNS
        ? example * rows * (long) heads * cols + (long) head * cols
        : (example * heads + head) * (long) rows * cols;
  }

  /** The same elements as a [batch, heads, rows, cols] array (a permuted view for {@link Layout#COLUMNS}). */
  org.nd4j.linalg.api.ndarray.INDArray as4d() {
    return layout == Layout.COLUMNS
        ? array.reshape('c', batch, rows, heads, cols).permute(0, 2, 1, 3)
        : array;
  }
}
