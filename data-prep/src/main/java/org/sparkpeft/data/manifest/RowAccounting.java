package org.sparkpeft.data.manifest;

/**
 * The "no row vanishes" rule: every input record is a row, and every row is a shard row, a duplicate or a reject.
 * Built from what the job counted in the raw input, before writing, and what it read back after writing.
 *
 * @param inputRecords records counted in the raw input, independently of the reader (CSV), or the rows read
 * @param inputRows rows the source produced
 * @param accepted rows that passed cleaning
 * @param tokenized distinct rows that were tokenized (accepted minus duplicates)
 * @param rejectsCounted rows that failed cleaning
 * @param shardRowsWritten rows read back from the split folders
 * @param rejectsWritten rows read back from rejects/
 */
public record RowAccounting(long inputRecords, long inputRows, long accepted, long tokenized, long rejectsCounted,
                            long shardRowsWritten, long rejectsWritten) {

  public long duplicates() {
    return accepted - tokenized;
  }

  public boolean balanced() {
    return inputRecords == inputRows
        && inputRows == accepted + rejectsCounted
        && shardRowsWritten == tokenized
        && rejectsWritten == rejectsCounted
        && inputRows == shardRowsWritten + duplicates() + rejectsWritten;
  }

  /** Throws when a record or row went missing (or appeared) between the raw input and the written output. */
  public void verify(String input) {
    if (!balanced()) {
      throw new IllegalStateException("row accounting does not add up for " + input + ": input " + inputRecords
          + " records read as " + inputRows + " rows, written " + shardRowsWritten + " shard rows (tokenized "
          + tokenized + ") + " + duplicates() + " duplicates + " + rejectsWritten + " rejects (counted "
          + rejectsCounted + ")");
    }
  }
}
