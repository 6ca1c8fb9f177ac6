package org.sparkpeft.data.shard;

import java.util.Iterator;
import java.util.Map;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkpeft.data.clean.CleanRows;
import org.sparkpeft.data.config.SplitSpec;
import org.sparkpeft.data.config.TokenizeSpec;
import org.sparkpeft.data.source.RawRows;
import org.sparkpeft.data.split.Splitter;
import org.sparkpeft.tokenizer.Encoded;
import org.sparkpeft.tokenizer.TextTokenizer;
import org.sparkpeft.tokenizer.Truncation;
import org.sparkpeft.tokenizer.Windows;

/**
 * Cleaned, deduplicated rows to shard rows, on executors: split assignment, label index, token ids (the
 * tokenizer.json travels as a broadcast and is built once per executor JVM), length and bucket. Adds the
 * {@code split} and {@code truncated} columns that the writer and the manifest use and the shards do not carry.
 */
public final class TokenizeRows implements FlatMapFunction<Iterator<Row>, Row> {

  public static final String SPLIT = "split";
  public static final String TRUNCATED = "truncated";
  /** Characters per token that certainly cover max length tokens in ordinary text (see {@link #encode}). */
  static final int CHARS_PER_TOKEN = 12;

  public static final StructType SCHEMA = ShardSchema.SCHEMA
      .add(SPLIT, DataTypes.StringType, false)
      .add(TRUNCATED, DataTypes.BooleanType, false);
  /**
   * Chunked data: one row per window; {@code truncated} is set on window 0 of a document whose windows were capped
   * at max chunks (so it counts documents).
   */
  public static final StructType CHUNKED_SCHEMA = ShardSchema.CHUNKED_SCHEMA
      .add(SPLIT, DataTypes.StringType, false)
      .add(TRUNCATED, DataTypes.BooleanType, false);

  /** The schema {@link #call} emits for {@code tokenize}. */
  public static StructType schema(TokenizeSpec tokenize) {
    return tokenize.chunked() ? CHUNKED_SCHEMA : SCHEMA;
  }

  private final Broadcast<byte[]> tokenizerJson;
  private final String tokenizerId;
  private final String tokenizerSha256;
  private final TokenizeSpec tokenize;
  private final SplitSpec split;
  private final Map<String, Integer> labelIndex;

  public TokenizeRows(Broadcast<byte[]> tokenizerJson, String tokenizerId, String tokenizerSha256,
                      TokenizeSpec tokenize, SplitSpec split, Map<String, Integer> labelIndex) {
    this.tokenizerJson = tokenizerJson;
    this.tokenizerId = tokenizerId;
    this.tokenizerSha256 = tokenizerSha256;
    this.tokenize = tokenize;
    this.split = split;
    this.labelIndex = labelIndex;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TextTokenizer tokenizer = TokenizerCache.get(tokenizerId, tokenizerSha256, tokenize.maxLength(),
        tokenize.truncation(), tokenizerJson::value);
    if (tokenize.chunked()) {
      return chunkRows(tokenizer, rows);
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return toShardRow(tokenizer, rows.next());
      }
    };
  }

  /**
   * Long texts are first encoded up to a space near {@link #CHARS_PER_TOKEN} x max length characters: pre-tokenizers
   * split at spaces, so the tokens of that prefix are exactly the first tokens of the whole text, and when the prefix
   * alone already fills max length the result equals the whole text's. Otherwise, and for the truncations that keep
   * the tail, the whole text is encoded.
   */
  static Encoded encode(TextTokenizer tokenizer, String text) {
    int cut = (int) Math.min(Integer.MAX_VALUE, (long) CHARS_PER_TOKEN * tokenizer.maxLength());
    if (text.length() > cut && tokenizer.truncation() == Truncation.HEAD) {
      int space = text.lastIndexOf(' ', cut);
      if (space > 0) {
        Encoded prefix = tokenizer.encode(text.substring(0, space));
        if (prefix.truncated()) {
          return prefix;
        }
      }
    }
    return tokenizer.encode(text);
  }

  private Iterator<Row> chunkRows(TextTokenizer tokenizer, Iterator<Row> rows) {
    return new Iterator<>() {
      private final java.util.ArrayDeque<Row> pending = new java.util.ArrayDeque<>();

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && rows.hasNext()) {
          pending.addAll(toChunkRows(tokenizer, rows.next()));
        }
        return !pending.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return pending.poll();
      }
    };
  }

  /**
   * One document as its windows' rows: every window carries the document's label and split (assigned from the
   * document's label and content hash, so a document's windows never straddle splits).
   */
  java.util.List<Row> toChunkRows(TextTokenizer tokenizer, Row row) {
    String label = row.getAs(RawRows.LABEL);
    String hash = row.getAs(CleanRows.HASH);
    String docId = row.getAs(RawRows.ROW_ID);
    Windows windows = tokenizer.windows(row.getAs(RawRows.TEXT), tokenize.chunking().overlap(),
        tokenize.chunking().maxChunks());
    int index = labelIndex(label);
    String splitName = Splitter.assign(split, label, hash);
    java.util.List<Row> out = new java.util.ArrayList<>(windows.chunks().size());
    for (int k = 0; k < windows.chunks().size(); k++) {
      int[] ids = windows.chunks().get(k);
      out.add(RowFactory.create(ShardSchema.chunkRowId(docId, k), ids, index, ids.length,
          tokenize.bucketOf(ids.length), docId, k, splitName, k == 0 && windows.capped()));
    }
    return out;
  }

  private int labelIndex(String label) {
    Integer index = labelIndex.get(label);
    if (index == null) {
      throw new IllegalStateException("label '" + label + "' is missing from the label map");
    }
    return index;
  }

  private Row toShardRow(TextTokenizer tokenizer, Row row) {
    String label = row.getAs(RawRows.LABEL);
    String hash = row.getAs(CleanRows.HASH);
    Encoded encoded = encode(tokenizer, row.getAs(RawRows.TEXT));
    int[] ids = encoded.ids();
    Integer index = labelIndex.get(label);
    if (index == null) {
      throw new IllegalStateException("label '" + label + "' is missing from the label map");
    }
    return RowFactory.create(row.getAs(RawRows.ROW_ID), ids, index, ids.length,
        tokenize.bucketOf(ids.length), Splitter.assign(split, label, hash), encoded.truncated());
  }
}
