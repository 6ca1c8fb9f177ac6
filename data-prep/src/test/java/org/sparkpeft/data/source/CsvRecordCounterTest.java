package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;

import org.junit.jupiter.api.Test;
import org.sparkpeft.data.config.CsvOptions;

/** The independent CSV record count: every rule the reader follows that decides where a record ends. */
class CsvRecordCounterTest {

  private static final CsvOptions RFC = CsvOptions.RFC_4180;

  private static CsvRecordCounter.Result count(String text) {
    return CsvRecordCounter.count(text, RFC, 1000);
  }

  private static long records(String text) {
    return count(text).records();
  }

  @Test
  void oneRecordPerLineWithOrWithoutATrailingLineEnd() {
    assertEquals(3, records("text,label\na,b\nc,d\n"));
    assertEquals(3, records("text,label\na,b\nc,d"));
    assertEquals(3, count("text,label\na,b\nc,d").lines());
    assertEquals(3, count("text,label\na,b\nc,d\n").lines());
  }

  @Test
  void anEmptyFileHasNoRecordsAndAHeaderOnlyFileNoDataRecords() {
    assertEquals(0, records(""));
    assertEquals(0, count("").dataRecords(true));
    assertEquals(0, records("\uFEFF"));
    assertEquals(1, records("text,label\n"));
    assertEquals(0, count("text,label\n").dataRecords(true));
    assertEquals(1, count("text,label\n").dataRecords(false));
    assertEquals(2, count("text,label\na,b\nc,d\n").dataRecords(true));
  }

  @Test
  void lineEndsInsideQuotesAreTextAndEmptyLinesAreNoRecords() {
    assertEquals(3, records("text,label\n\"first\nsecond\n\nfourth line\",a\nplain,b\n"));
    assertEquals(3, records("text,label\na,b\n\n\nc,d\n\n"));
    assertEquals(4, records("text,label\na,b\n   \nc,d\n"), "a line of spaces is a record to the reader");
    CsvRecordCounter.Result r = count("text,label\nx,y\n\"one\ntwo\nthree\",a\n");
    assertEquals(3, r.longestQuoteLine());
    assertEquals(3, r.longestQuoteLines());
    assertEquals(0, r.unclosedQuoteLine());
  }

  @Test
  void doubledQuotesAreTextInsideAQuotedField() {
    assertEquals(3, records("text,label\n\"say \"\"hi\"\",\nthere\",a\n\"\"\"\",b\n"));
    assertEquals(2, records("text,label\n\"\",a\n"), "an empty quoted field");
    // a doubled quote at the end of a quoted field, then the closing quote
    assertEquals(3, records("text,label\n\"ends with \"\"\"\na,b\n"));
  }

  @Test
  void aQuoteInsideAnUnquotedFieldOrAfterAClosedQuoteIsText() {
    assertEquals(4, records("text,label\nab\"c\nd\",x\nc,d\n"));
    assertEquals(4, records("text,label\n\"abc\"def\nx,y\nc,d\n"));
    assertEquals(4, records("text,label\n \"a\nb\",x\nc,d\n"), "a quote after a space does not open a field");
  }

  @Test
  void crlfAndCrLineEndsAndOtherLineEndsInsideTheText() {
    assertEquals(3, records("text,label\r\n\"first\r\nrow\",pos\r\nsecond row,neg\r\n"));
    assertEquals(3, records("\uFEFFtext,label\r\n\"first\r\nrow\",pos\r\nsecond row,neg"));
    assertEquals(3, records("text,label\ra,b\rc,d\r"));
    // in a CRLF file a lone \n is text, as it is to the reader
    CsvRecordCounter.Result r = count("text,label\r\na\nb,c\r\nc,d\r\n");
    assertEquals(3, r.records());
    assertEquals(4, r.lines(), "lines are counted as an editor shows them");
    assertEquals(3, records("text,label\r\n\r\na,b\r\n\r\nc,d\r\n"));
  }

  @Test
  void aByteOrderMarkDoesNotHideAQuote() {
    assertEquals(2, records("\uFEFF\"te\nxt\",label\na,b\n"));
  }

  @Test
  void anotherDelimiterQuoteAndEscape() {
    CsvOptions semi = new CsvOptions(";", "'", "\\");
    assertEquals(3, CsvRecordCounter.count("text;label\n'it\\'s; fine';a\n'line one\nline two';b\n", semi, 10)
        .records());
    CsvOptions backslash = new CsvOptions(",", "\"", "\\");
    assertEquals(3, CsvRecordCounter.count("text,label\n\"abc\\\\\",x\nc,d\n", backslash, 10).records(),
        "an escaped escape before the closing quote");
    assertEquals(3, CsvRecordCounter.count("text,label\n\"abc\\\"\n\",x\nc,d\n", backslash, 10).records(),
        "an escaped quote does not close the field");
    assertEquals(4, CsvRecordCounter.count("text,label\n\"say \"\"hi\"\n\"\",x\nc,d\n", backslash, 10).records(),
        "with another escape a doubled quote ends the quoted part; the rest of the field is unquoted, so the line "
            + "end ends the record");
  }

  @Test
  void aQuoteNeverClosedIsReportedWithTheLineItOpenedOn() {
    StringBuilder csv = new StringBuilder("id,text,label\n");
    for (int i = 1; i <= 16; i++) {
      csv.append(i).append(',').append(i == 13 ? "\"broken text" : "text " + i).append(",l").append('\n');
    }
    CsvRecordCounter.Result r = count(csv.toString());
    assertEquals(14, r.unclosedQuoteLine(), "record 13 is on line 14, below the header");
    assertEquals(17, r.lastLine());
    assertEquals(17, r.lines());
    // an unclosed quote on the last line merges nothing
    assertEquals(0, count("text,label\na,b\nc,\"d").unclosedQuoteLine());
    assertEquals(0, count("text,label\na,b\n\"c,d\n").unclosedQuoteLine());
    assertEquals(2, count("text,label\n\"a,b\n\nc,d").unclosedQuoteLine());
  }

  @Test
  void aQuotedFieldOverTheLineLimitIsARunaway() {
    String csv = "text,label\na,b\n\"" + "line\n".repeat(5) + "\",x\nc,d\n\"closed later\nthan\nthe limit\",y\n";
    CsvRecordCounter.Result r = CsvRecordCounter.count(csv, RFC, 5);
    assertEquals(3, r.runawayQuoteLine());
    CsvRecordCounter.Result within = CsvRecordCounter.count(csv, RFC, 6);
    assertEquals(0, within.runawayQuoteLine());
    assertEquals(5, within.records());
    assertEquals(6, within.longestQuoteLines());
    assertEquals(3, within.longestQuoteLine());
  }

  @Test
  void aCarriageReturnSplitAcrossReadBuffersIsOneLineEnd() throws IOException {
    String row = "x".repeat(64 * 1024 - 1);
    // the \r is the last char of the first 64 KiB buffer, its \n the first char of the next
    String csv = row + "\r\n" + "a\r\nb\r\n";
    Reader in = new java.io.StringReader(csv);
    CsvRecordCounter.Result r = CsvRecordCounter.count(in, RFC, 10);
    assertEquals(3, r.records());
    assertEquals(3, r.lines());
  }
}
