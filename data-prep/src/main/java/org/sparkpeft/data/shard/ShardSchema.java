package org.sparkpeft.data.shard;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The versioned contract between data-prep and the training side (docs/data-prep.md): one folder per split
 * ({@code train/}, {@code val/}, {@code test/}) of Parquet files with exactly these columns, plus
 * {@code manifest.json}, {@code label_map.json} and {@code rejects/}. Bump {@link #VERSION} on any change a
 * reader would notice.
 */
public final class ShardSchema {

  public static final int VERSION = 1;

  public static final String ROW_ID = "row_id";
  public static final String INPUT_IDS = "input_ids";
  public static final String LABEL = "label";
  public static final String LENGTH = "length";
  public static final String BUCKET = "bucket";

  public static final String MANIFEST = "manifest.json";
  public static final String LABEL_MAP = "label_map.json";
  public static final String REJECTS = "rejects";

  /**
   * The Parquet schema of every split folder, exactly as {@code spark.read().parquet(...)} returns it (Spark reads
   * every Parquet column as nullable); no value is ever null.
   */
  public static final StructType SCHEMA = new StructType()
      .add(ROW_ID, DataTypes.StringType)
      .add(INPUT_IDS, DataTypes.createArrayType(DataTypes.IntegerType))
      .add(LABEL, DataTypes.IntegerType)
      .add(LENGTH, DataTypes.IntegerType)
      .add(BUCKET, DataTypes.IntegerType);

  private ShardSchema() {}
}
