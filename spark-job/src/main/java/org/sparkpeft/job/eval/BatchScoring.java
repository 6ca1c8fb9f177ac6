package org.sparkpeft.job.eval;

import java.util.Iterator;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.sparkpeft.job.batch.Minibatch;
import org.sparkpeft.models.bert.layers.ReusedActivations;

/**
 * Scores minibatches with a classifier graph (inference mode): per-example cross-entropy and the confusion counts.
 * Minibatches of chunked data (rows tagged with document ids) are counted per document ({@link DocumentScores}):
 * the caller passes every window of a document in the same iterator.
 */
public final class BatchScoring {

  private BatchScoring() {}

  public static ConfusionCounts score(ComputationGraph graph, Iterator<Minibatch> batches, int classes) {
    ConfusionCounts counts = new ConfusionCounts(classes);
    DocumentScores documents = new DocumentScores(classes);
    while (batches.hasNext()) {
      Minibatch batch = batches.next();
      MultiDataSet data = batch.toMultiDataSet(classes);
      INDArray probs = ReusedActivations.output(graph, data.getFeatures(), data.getFeaturesMaskArrays())[0];
      int[] labels = batch.labels();
      String[] ids = batch.documents();
      for (int i = 0; i < labels.length; i++) {
        INDArray row = probs.getRow(i);
        if (ids != null) {
          documents.add(ids[i], labels[i], row.toDoubleVector());
          continue;
        }
        int predicted = row.argMax().getInt(0);
        double p = Math.max(row.getDouble(labels[i]), 1e-12);
        counts.add(labels[i], predicted, -Math.log(p));
      }
    }
    return documents.addTo(counts);
  }
}
