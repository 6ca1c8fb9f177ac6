package org.sparkpeft.data.source;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text file holding many documents into its records: a line that holds only the separator (trailing
 * spaces and a carriage return ignored) ends a record, the way fortune-mod's data files separate their entries with
 * {@code %} lines. A record keeps its own line breaks and indentation; records with nothing but white space (the
 * one after a final separator, two separators in a row) are not records.
 */
public final class RecordSplitter {

  private RecordSplitter() {}

  /** The records of {@code text} in file order; each with its line number (1-based) in the file. */
  public static List<Record> split(String text, String separator) {
    List<Record> records = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int line = 0;
    int start = 1;
    int from = 0;
    while (from <= text.length()) {
      int end = text.indexOf('\n', from);
      boolean last = end < 0;
      String raw = text.substring(from, last ? text.length() : end);
      line++;
      if (raw.stripTrailing().equals(separator)) {
        add(records, current, start);
        current.setLength(0);
        start = line + 1;
      } else if (!(last && raw.isEmpty())) {
        if (current.length() > 0) {
          current.append('\n');
        }
        current.append(raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw);
      }
      if (last) {
        break;
      }
      from = end + 1;
    }
    add(records, current, start);
    return records;
  }

  private static void add(List<Record> records, StringBuilder current, int line) {
    if (!current.toString().isBlank()) {
      records.add(new Record(current.toString().stripTrailing(), line));
    }
  }

  /** One record: its text (line breaks kept) and the file line it starts on. */
  public record Record(String text, int line) {}
}
