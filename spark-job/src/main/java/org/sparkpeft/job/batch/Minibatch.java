package org.sparkpeft.job.batch;

import java.io.Serializable;
import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkpeft.models.inference.PaddedBatch;

/**
 * One minibatch as it is cached between rounds: token ids (unpadded) and labels. A plain class with mutable
 * fields so that Spark's Kryo serialiser can store it; {@link #toMultiDataSet} pads it for DL4J.
 */
public final class Minibatch implements Serializable {

  private int[][] ids;
  private int[] labels;
  /** Chunked data: each row's document id (a document's windows are averaged when scoring); else null. */
  private String[] documents;

  /** For serialisation. */
  public Minibatch() {
  }

  public Minibatch(int[][] ids, int[] labels) {
    if (ids.length != labels.length || ids.length == 0) {
      throw new IllegalArgumentException("a minibatch needs as many labels as rows, and at least one row");
    }
    this.ids = ids;
    this.labels = labels;
  }

  /** The same rows, each tagged with its document id (chunked data). */
  public Minibatch(int[][] ids, int[] labels, String[] documents) {
    this(ids, labels);
    if (documents != null && documents.length != labels.length) {
      throw new IllegalArgumentException("a minibatch needs as many document ids as rows");
    }
    this.documents = documents;
  }

  /** Each row's document id, or null when every row is a whole document. */
  public String[] documents() {
    return documents;
  }

  public int size() {
    return labels.length;
  }

  public int[] labels() {
    return labels;
  }

  /** The rows' token ids, unpadded (not copied: do not modify). */
  public int[][] ids() {
    return ids;
  }

  /** One-hot labels [rows, classes]. */
  public INDArray oneHot(int classes) {
    INDArray oneHot = Nd4j.zeros(labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      oneHot.putScalar(i, labels[i], 1.0);
    }
    return oneHot;
  }

  /** The rows as {@code label:ids} text, for comparing batches in tests and logs. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < labels.length; i++) {
      out.append(labels[i]).append(':').append(Arrays.toString(ids[i])).append(';');
    }
    return out.toString();
  }

  /** Padded ids, attention mask as the feature mask, one-hot labels. */
  public MultiDataSet toMultiDataSet(int classes) {
    PaddedBatch padded = PaddedBatch.of(Arrays.asList(ids));
    return new MultiDataSet(new INDArray[] {padded.ids()}, new INDArray[] {oneHot(classes)},
        new INDArray[] {padded.mask()}, null);
  }
}
