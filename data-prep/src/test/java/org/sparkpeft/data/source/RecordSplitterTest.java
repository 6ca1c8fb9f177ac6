package org.sparkpeft.data.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class RecordSplitterTest {

  private static List<String> texts(String file) {
    return RecordSplitter.split(file, "%").stream().map(RecordSplitter.Record::text).toList();
  }

  @Test
  void linesHoldingOnlyTheSeparatorEndRecords() {
    assertEquals(List.of("one", "two"), texts("one\n%\ntwo\n%\n"));
    assertEquals(List.of("one", "two"), texts("one\n%\ntwo")); // no final separator, no final newline
  }

  @Test
  void multiLineRecordsKeepTheirLineBreaksAndIndentation() {
    String file = "\tA circus foreman was\nmaking the rounds.\n\t\t-- Anon\n%\nshort\n%\n";
    assertEquals(List.of("\tA circus foreman was\nmaking the rounds.\n\t\t-- Anon", "short"), texts(file));
  }

  @Test
  void aSeparatorInsideALineOrWithTextIsText() {
    assertEquals(List.of("100% sure\n%% not a separator\n% nor this"),
        texts("100% sure\n%% not a separator\n% nor this\n%\n"));
  }

  @Test
  void blankRecordsAreDroppedAndCarriageReturnsAndTrailingSpacesIgnored() {
    assertEquals(List.of("a", "b"), texts("%\na\r\n%  \r\n\n%\n \t\n%\nb\r\n%\r\n"));
  }

  @Test
  void eachRecordKnowsTheLineItStartsOn() {
    List<RecordSplitter.Record> records = RecordSplitter.split("a\nb\n%\nc\n%\n%\nd\n", "%");
    assertEquals(List.of(1, 4, 7), records.stream().map(RecordSplitter.Record::line).toList());
  }

  @Test
  void anotherSeparatorWorksTheSameWay() {
    assertEquals(List.of("x\n%", "y"),
        RecordSplitter.split("x\n%\n---\ny\n---\n", "---").stream().map(RecordSplitter.Record::text).toList());
  }

  @Test
  void theCategoryIsTheFileNameWithoutItsExtension() {
    assertEquals("computers", RecordFileSource.category("computers"));
    assertEquals("law", RecordFileSource.category("a/b/law.txt"));
    assertEquals(".hidden", RecordFileSource.category(".hidden"));
  }
}
