package org.sparkpeft.data.source;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The one shape every source is read into, before cleaning. A source fills either {@code text} (tabular
 * formats) or {@code content} (file formats: the raw bytes, decoded during cleaning), and may already reject a
 * row (a malformed line, a document over the size limit).
 */
public final class RawRows {

  public static final String ROW_ID = "row_id";
  public static final String ORIGIN = "origin";
  public static final String LABEL = "label";
  public static final String TEXT = "text";
  public static final String CONTENT = "content";
  public static final String REJECT = "reject";
  public static final String DETAIL = "detail";
  public static final String INPUT_BYTES = "input_bytes";

  public static final StructType SCHEMA = new StructType()
      .add(ROW_ID, DataTypes.StringType)
      .add(ORIGIN, DataTypes.StringType)
      .add(LABEL, DataTypes.StringType)
      .add(TEXT, DataTypes.StringType)
      .add(CONTENT, DataTypes.BinaryType)
      .add(REJECT, DataTypes.StringType)
      .add(DETAIL, DataTypes.StringType)
      .add(INPUT_BYTES, DataTypes.LongType);

  private RawRows() {}
}
