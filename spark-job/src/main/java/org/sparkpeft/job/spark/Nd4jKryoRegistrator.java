package org.sparkpeft.job.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lets Spark's Kryo serialiser store ND4J arrays (DL4J's parameter-averaging results and aggregation tuples hold
 * INDArrays, whose contents are transient fields Kryo's default serialiser would drop). DL4J expects
 * {@code org.nd4j.kryo.Nd4jRegistrator}, which {@code nd4j-kryo_2.12:1.0.0-M2} does not ship; this registers the
 * {@link Nd4jSerializer} it does ship for every INDArray. {@link SparkSessions} sets it; a session built elsewhere
 * needs {@code spark.kryo.registrator=org.sparkpeft.job.spark.Nd4jKryoRegistrator} before it starts.
 */
public final class Nd4jKryoRegistrator implements KryoRegistrator {

  public static final String KEY = "spark.kryo.registrator";

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.addDefaultSerializer(INDArray.class, new Nd4jSerializer());
  }

  /** {@code current} (a comma-separated registrator list, or null) with this registrator added once. */
  public static String appendTo(String current) {
    String name = Nd4jKryoRegistrator.class.getName();
    if (current == null || current.isBlank()) {
      return name;
    }
    for (String part : current.split(",")) {
      if (part.trim().equals(name)) {
        return current;
      }
    }
    return current + "," + name;
  }

  /** Whether a Spark configuration value of {@link #KEY} includes this registrator. */
  public static boolean isIn(String current) {
    return current != null && !current.isBlank() && appendTo(current).equals(current);
  }
}
