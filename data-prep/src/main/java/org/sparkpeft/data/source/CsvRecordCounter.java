package org.sparkpeft.data.source;

import java.io.IOException;
import java.io.Reader;

import org.sparkpeft.data.config.CsvOptions;

/**
 * Counts the records of one CSV file without Spark's parser, so that the job can check that the parser neither
 * merged nor dropped any: an RFC 4180 state machine following the rules of the reader Spark uses (univocity, as
 * {@link TabularSource} configures it), and tracking where quoted fields open.
 *
 * <ul>
 *   <li>The record separator is the first line ending in the file ({@code \r\n}, {@code \n} or {@code \r}); other
 *       line ends are ordinary characters, as they are to the reader. Physical line numbers in the result count
 *       every line ending, as an editor shows them.</li>
 *   <li>An empty line (nothing between two separators) outside quotes is no record; a line of spaces is one.</li>
 *   <li>A field is quoted only when it starts with the quote character. Inside it, a line ending is text; the
 *       escape character followed by any character is text (with escape = quote: a doubled quote); a quote
 *       followed by the delimiter or a line ending closes the field; a quote followed by anything else makes the
 *       rest of the field unquoted text up to the next delimiter or line ending.</li>
 *   <li>A leading byte order mark is skipped.</li>
 * </ul>
 *
 * The header, when the source has one, is the first record; {@link Result#records} counts it.
 */
public final class CsvRecordCounter {

  /**
   * What one file holds.
   *
   * @param records records, the header included
   * @param lines physical lines (a last line without a line ending counts)
   * @param unclosedQuoteLine the line where a quoted field opened that is still open at the end of the file and
   *     holds text on a later line (so the reader would merge lines into one record); 0 if none
   * @param lastLine the last physical line with text, for messages
   * @param runawayQuoteLine the line where the first quoted field opened that spans more than the limit of lines;
   *     0 if none (counting stops there, so {@code records} and {@code lines} are partial when it is set)
   * @param longestQuoteLine the line where the quoted field spanning the most lines opened (0 if no quoted field
   *     spans a line ending)
   * @param longestQuoteLines how many physical lines that field spans
   */
  public record Result(long records, long lines, long unclosedQuoteLine, long lastLine, long runawayQuoteLine,
                       long longestQuoteLine, long longestQuoteLines) {

    /** The fields as an array, to travel from executors (Spark's Kryo cannot serialize records). */
    long[] toArray() {
      return new long[] {records, lines, unclosedQuoteLine, lastLine, runawayQuoteLine, longestQuoteLine,
          longestQuoteLines};
    }

    static Result of(long[] a) {
      return new Result(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    }

    /** Records less the header, as the reader returns them. */
    public long dataRecords(boolean header) {
      return header ? Math.max(0, records - 1) : records;
    }
  }

  private enum State { FIELD_START, UNQUOTED, QUOTED, ESCAPED, AFTER_QUOTE }

  private static final int SEPARATOR = -1;

  private final char delimiter;
  private final char quote;
  private final char escape;
  private final long maxQuotedLines;

  private State state = State.FIELD_START;
  private boolean recordStarted;
  private long records;
  private long line = 1;
  private long lastLine;
  private boolean lineHasText;
  private long quoteOpenLine;
  private long runawayLine;
  private long longestLine;
  private long longestLines;
  private String separator; // "\n", "\r\n" or "\r": the first line ending seen
  private boolean pendingCr;
  private boolean first = true;

  private CsvRecordCounter(CsvOptions csv, long maxQuotedLines) {
    this.delimiter = csv.delimiter().charAt(0);
    this.quote = csv.quote().charAt(0);
    this.escape = csv.escape().charAt(0);
    this.maxQuotedLines = maxQuotedLines;
  }

  /** Counts the records of the text {@code in} delivers (the caller closes it). */
  public static Result count(Reader in, CsvOptions csv, long maxQuotedLines) throws IOException {
    CsvRecordCounter counter = new CsvRecordCounter(csv, maxQuotedLines);
    char[] buffer = new char[64 * 1024];
    for (int n = in.read(buffer); n >= 0 && counter.runawayLine == 0; n = in.read(buffer)) {
      for (int i = 0; i < n && counter.runawayLine == 0; i++) {
        counter.accept(buffer[i]);
      }
    }
    return counter.finish();
  }

  /** Counts the records of a string (tests, small inputs). */
  public static Result count(String text, CsvOptions csv, long maxQuotedLines) {
    try {
      return count(new java.io.StringReader(text), csv, maxQuotedLines);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringReader does not fail
    }
  }

  private void accept(char c) {
    if (first) {
      first = false;
      if (c == '\uFEFF') {
        return;
      }
    }
    if (pendingCr) {
      pendingCr = false;
      if (c == '\n') {
        lineEnd("\r\n");
        return;
      }
      lineEnd("\r");
    }
    if (c == '\r') {
      pendingCr = true;
    } else if (c == '\n') {
      lineEnd("\n");
    } else {
      lineHasText = true;
      step(c);
    }
  }

  private void lineEnd(String ending) {
    if (separator == null) {
      separator = ending;
    }
    if (lineHasText) {
      lastLine = line;
    }
    lineHasText = false;
    if (separator.equals(ending)) {
      step(SEPARATOR);
    } else {
      step(ending.charAt(0)); // a line end of another kind is text to the reader (with "\r\n": '\r', then '\n')
      if (ending.length() == 2) {
        step(ending.charAt(1));
      }
    }
    line++;
    if (state == State.QUOTED || state == State.ESCAPED) {
      long spans = line - quoteOpenLine + 1;
      if (spans > longestLines) {
        longestLines = spans;
        longestLine = quoteOpenLine;
      }
      if (spans > maxQuotedLines && runawayLine == 0) {
        runawayLine = quoteOpenLine;
      }
    }
  }

  private void step(int c) {
    switch (state) {
      case FIELD_START -> {
        if (c == SEPARATOR) {
          if (recordStarted) {
            endRecord();
          } // else an empty line: no record
        } else {
          recordStarted = true;
          if (c == quote) {
            state = State.QUOTED;
            quoteOpenLine = line;
          } else if (c != delimiter) {
            state = State.UNQUOTED;
          }
        }
      }
      case UNQUOTED -> {
        if (c == SEPARATOR) {
          endRecord();
        } else if (c == delimiter) {
          state = State.FIELD_START;
        }
      }
      case QUOTED -> {
        if (c == escape && escape != quote) {
          state = State.ESCAPED;
        } else if (c == quote) {
          state = State.AFTER_QUOTE;
        }
      }
      case ESCAPED -> state = State.QUOTED;
      case AFTER_QUOTE -> {
        if (c == SEPARATOR) {
          endRecord();
        } else if (c == delimiter) {
          state = State.FIELD_START;
        } else if (c == quote && escape == quote) {
          state = State.QUOTED; // a doubled quote
        } else {
          state = State.UNQUOTED; // text after the closing quote: the reader keeps the field as unquoted text
        }
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void endRecord() {
    records++;
    recordStarted = false;
    state = State.FIELD_START;
  }

  private Result finish() {
    if (runawayLine != 0) {
      return new Result(records, line, 0, lastLine, runawayLine, longestLine, longestLines);
    }
    if (pendingCr) {
      pendingCr = false;
      lineEnd("\r");
    }
    if (lineHasText) {
      lastLine = line;
    }
    long lines = lineHasText ? line : line - 1;
    boolean open = state == State.QUOTED || state == State.ESCAPED;
    long unclosed = open && lastLine > quoteOpenLine ? quoteOpenLine : 0;
    if (recordStarted) {
      records++;
    }
    return new Result(records, lines, unclosed, lastLine, 0, longestLine, longestLines);
  }
}
