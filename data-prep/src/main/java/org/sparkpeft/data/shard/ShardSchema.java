package org.sparkpeft.data.shard;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The versioned contract between data-prep and the training side (docs/data-prep.md): one folder per split
 * ({@code train/}, {@code val/}, {@code test/}) of Parquet files with exactly these columns, plus
 * {@code manifest.json}, {@code label_map.json} and {@code rejects/}. Bump {@link #VERSION} on any change a
 * reader would notice.
 *
 * <p>Version 2 ({@code tokenizer.long-text = chunk}) adds {@link #DOC_ID} and {@link #CHUNK}: a document longer than
 * max length is several rows, one per window, whose row ids are {@code <doc_id>#<chunk>}. Data prepared with
 * truncation keeps writing version 1 (the same files as before); readers take a folder without {@code doc_id} as one
 * row per document.
 */
public final class ShardSchema {

  public static final int VERSION = 1;
  /** The version of chunked data ({@link #CHUNKED_SCHEMA}). */
  public static final int CHUNKED_VERSION = 2;

  public static final String ROW_ID = "row_id";
  public static final String INPUT_IDS = "input_ids";
  public static final String LABEL = "label";
  public static final String LENGTH = "length";
  public static final String BUCKET = "bucket";
  /** Chunked data: the row id of the document a window belongs to. */
  public static final String DOC_ID = "doc_id";
  /** Chunked data: the window's index in its document (0, 1, ...). */
  public static final String CHUNK = "chunk";

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

  /** Version 2: {@link #SCHEMA} plus the document id and window index of each row. */
  public static final StructType CHUNKED_SCHEMA = SCHEMA
      .add(DOC_ID, DataTypes.StringType)
      .add(CHUNK, DataTypes.IntegerType);

  /** The row id of window {@code chunk} of document {@code docId}. */
  public static String chunkRowId(String docId, int chunk) {
    return docId + "#" + chunk;
  }

  private ShardSchema() {}
}
