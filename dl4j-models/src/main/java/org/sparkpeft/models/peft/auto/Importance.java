package org.sparkpeft.models.peft.auto;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-group importance sums over minibatches, mergeable (Spark's {@code treeAggregate} combines executors'
 * partials with {@link #merge}, which is associative and commutative up to floating-point rounding):
 * <ul>
 *   <li>{@code fisher[i]}: sum over batches of the squared batch gradient of every parameter of group i, summed
 *       over the group (the empirical Fisher's diagonal; mean = / {@code batches});</li>
 *   <li>{@code taylor[i]}: sum over batches of {@code |g * w|} over the group (first-order Taylor saliency);</li>
 *   <li>{@code gram[i]} for a matrix group [in, out]: the row-major {@code d x d} sum of {@code G^T G} (out <= in)
 *       or {@code G G^T} (d = min(in, out)) over batches; its trace is {@code fisher[i]}, its top-r eigenvalues the
 *       gradient energy a rank-r update can capture (what LoRA's rank buys). Empty for other groups.</li>
 * </ul>
 *
 * @param groups the group ids, in {@link ParamGroup#of} order (partials of different encoders do not merge)
 * @param fisher per-group squared-gradient sums
 * @param taylor per-group |gradient x weight| sums
 * @param gram per-group gradient Gram sums (matrices), else empty arrays
 * @param batches how many batches were summed
 */
public record Importance(List<String> groups, double[] fisher, double[] taylor, double[][] gram, long batches)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public Importance {
    groups = List.copyOf(groups);
    if (fisher.length != groups.size() || taylor.length != groups.size() || gram.length != groups.size()) {
      throw new IllegalArgumentException("importance sums need one entry per group");
    }
    if (batches < 0) {
      throw new IllegalArgumentException("batches must be >= 0, got " + batches);
    }
  }

  /** Nothing summed yet, for {@code groups}: the zero of {@link #merge}. */
  public static Importance empty(List<ParamGroup> groups) {
    double[][] gram = new double[groups.size()][];
    for (int i = 0; i < groups.size(); i++) {
      ParamGroup g = groups.get(i);
      int d = Math.min(g.nIn(), g.nOut());
      gram[i] = g.kind() == ParamGroup.Kind.MATRIX ? new double[d * d] : new double[0];
    }
    return new Importance(groups.stream().map(ParamGroup::id).toList(), new double[groups.size()],
        new double[groups.size()], gram, 0);
  }

  /** The element-wise sum of two partials of the same groups (neither is modified). */
  public static Importance merge(Importance a, Importance b) {
    if (!a.groups.equals(b.groups)) {
      throw new IllegalArgumentException("importance partials of different encoders do not merge");
    }
    double[][] gram = new double[a.gram.length][];
    for (int i = 0; i < gram.length; i++) {
      gram[i] = sum(a.gram[i], b.gram[i]);
    }
    return new Importance(a.groups, sum(a.fisher, b.fisher), sum(a.taylor, b.taylor), gram, a.batches + b.batches);
  }

  private static double[] sum(double[] a, double[] b) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  /**
   * The sums as one array, {@code [batches, fisher..., taylor..., gram of each group...]}: what a Spark job ships
   * (a double[] needs no serializer registration); partials add element-wise ({@link #addFlat}), and
   * {@link #fromFlat} on a partial of the same groups reads the sum back.
   */
  public double[] toFlat() {
    int n = 1 + 2 * groups.size();
    for (double[] g : gram) {
      n += g.length;
    }
    double[] out = new double[n];
    out[0] = batches;
    System.arraycopy(fisher, 0, out, 1, fisher.length);
    System.arraycopy(taylor, 0, out, 1 + fisher.length, taylor.length);
    int at = 1 + 2 * groups.size();
    for (double[] g : gram) {
      System.arraycopy(g, 0, out, at, g.length);
      at += g.length;
    }
    return out;
  }

  /** {@code a += b} element-wise (the merge of {@link #toFlat} arrays); returns {@code a}. */
  public static double[] addFlat(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("importance partials of different encoders do not merge");
    }
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }

  /** The accumulator of this one's groups holding {@code flat} ({@link #toFlat} layout). */
  public Importance fromFlat(double[] flat) {
    if (flat.length != toFlat().length) {
      throw new IllegalArgumentException("a flat importance of " + flat.length + " values does not fit these groups");
    }
    int k = groups.size();
    double[][] g = new double[k][];
    int at = 1 + 2 * k;
    for (int i = 0; i < k; i++) {
      g[i] = java.util.Arrays.copyOfRange(flat, at, at + gram[i].length);
      at += gram[i].length;
    }
    return new Importance(groups, java.util.Arrays.copyOfRange(flat, 1, 1 + k),
        java.util.Arrays.copyOfRange(flat, 1 + k, 1 + 2 * k), g, Math.round(flat[0]));
  }

  /** Mean squared batch gradient summed over group {@code i} (0 before any batch). */
  public double meanFisher(int i) {
    return batches == 0 ? 0 : fisher[i] / batches;
  }

  /** Mean |gradient x weight| summed over group {@code i}. */
  public double meanTaylor(int i) {
    return batches == 0 ? 0 : taylor[i] / batches;
  }

  /**
   * The eigenvalues of matrix group {@code i}'s mean gradient Gram, largest first, negatives (rounding) as 0:
   * the mean squared singular values of its batch gradients. Empty for a group that is not a matrix.
   */
  public double[] spectrum(int i) {
    double[] g = gram[i];
    if (g.length == 0 || batches == 0) {
      return new double[0];
    }
    int d = (int) Math.round(Math.sqrt(g.length));
    INDArray c = Nd4j.create(g, new long[] {d, d}, DataType.DOUBLE).divi(batches);
    INDArray values = Eigen.symmetricGeneralizedEigenvalues(c, false);
    double[] out = values.toDoubleVector();
    for (int k = 0; k < out.length; k++) {
      out[k] = Math.max(0, out[k]);
    }
    Arrays.sort(out);
    for (int k = 0; k < out.length / 2; k++) {
      double t = out[k];
      out[k] = out[out.length - 1 - k];
      out[out.length - 1 - k] = t;
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Importance other && groups.equals(other.groups) && batches == other.batches
        && Arrays.equals(fisher, other.fisher) && Arrays.equals(taylor, other.taylor)
        && Arrays.deepEquals(gram, other.gram);
  }

  @Override
  public int hashCode() {
    return 31 * groups.hashCode() + Arrays.hashCode(fisher);
  }

  @Override
  public String toString() {
    return "Importance[" + groups.size() + " groups, " + batches + " batches]";
  }
}
