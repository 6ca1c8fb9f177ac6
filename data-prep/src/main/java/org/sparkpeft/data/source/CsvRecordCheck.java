package org.sparkpeft.data.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.CsvOptions;
import org.sparkpeft.data.config.SourceSpec;

import scala.Tuple2;

/**
 * Checks that Spark's CSV reader returned every record of every input file: each file is counted on an executor
 * by {@link CsvRecordCounter} (through Hadoop's codecs, so compressed files too), and after Spark has parsed the
 * input the rows it produced per file are compared with that count. A quote that is never closed, or a quoted
 * field over {@code input.csv.max-quoted-lines} lines, stops the job before parsing; a file whose rows differ from
 * its count stops it after. Each stop is one sentence naming the file and, where known, the line.
 */
public final class CsvRecordCheck {

  /** Counts per file, keyed by the file's URI as {@code input_file_name()} gives it. */
  private final Map<String, CsvRecordCounter.Result> byFile;

  CsvRecordCheck(Map<String, CsvRecordCounter.Result> byFile) {
    this.byFile = new TreeMap<>(byFile);
  }

  /**
   * Counts the records of every file Spark's CSV source reads for {@code spec}, on the executors, and stops on a
   * quote that swallows the lines after it.
   */
  public static CsvRecordCheck count(SparkSession spark, SourceSpec spec) {
    String path = InputPaths.requireExisting(spark, spec.path());
    String[] files = spark.read().schema("value STRING").csv(path).inputFiles(); // the files the reader reads
    Map<String, CsvRecordCounter.Result> byFile = new TreeMap<>();
    if (files.length > 0) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<Tuple2<String, long[]>> counted = jsc.parallelize(Arrays.asList(files), Math.min(files.length, 10_000))
          .map(new CountFile(new SerializableWritable<>(spark.sparkContext().hadoopConfiguration()), spec.csv()))
          .collect();
      counted.forEach(c -> byFile.put(c._1(), CsvRecordCounter.Result.of(c._2())));
    }
    byFile.forEach((file, r) -> {
      if (r.unclosedQuoteLine() > 0) {
        throw new UserError("CSV input " + display(file) + " has a quote opened on line "
            + r.unclosedQuoteLine() + " that is never closed, which would merge lines " + r.unclosedQuoteLine()
            + " to " + r.lastLine() + " into one record; close or remove that quote.");
      }
      if (r.runawayQuoteLine() > 0) {
        throw new UserError("CSV input " + display(file) + " has a quoted field opened on line "
            + r.runawayQuoteLine() + " that runs over " + spec.csv().maxQuotedLines()
            + " lines (input.csv.max-quoted-lines), most likely a quote that is not closed where it should be; "
            + "fix the quote, or raise input.csv.max-quoted-lines if such long texts are meant.");
      }
    });
    return new CsvRecordCheck(byFile);
  }

  /** Records per file as the reader should return them (the header line of each file is not a record). */
  public Map<String, Long> expectedRows() {
    Map<String, Long> rows = new TreeMap<>();
    byFile.forEach((file, r) -> rows.put(file, r.dataRecords(true)));
    return rows;
  }

  /** All input records, headers excluded: the manifest's {@code input_records}. */
  public long records() {
    return expectedRows().values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Compares the rows Spark's reader produced per file ({@code input_file_name()} → rows) with the count, and
   * returns the total count.
   *
   * @throws UserError naming the first file (in name order) whose rows differ from its records
   */
  public long verify(Map<String, Long> rowsByFile) {
    Map<String, Long> expected = expectedRows();
    TreeSet<String> files = new TreeSet<>(expected.keySet());
    files.addAll(rowsByFile.keySet());
    for (String file : files) {
      long records = expected.getOrDefault(file, 0L);
      long rows = rowsByFile.getOrDefault(file, 0L);
      if (records != rows) {
        CsvRecordCounter.Result r = byFile.get(file);
        String where = r == null || r.longestQuoteLines() < 2 ? "check its quotes and line ends"
            : "check the quotes near line " + r.longestQuoteLine() + ", where its longest quoted field opens ("
                + r.longestQuoteLines() + " lines)";
        throw new UserError("CSV input " + display(file) + " holds " + records
            + " records by a quote-aware count but Spark's CSV reader returned " + rows + " rows from it, so "
            + "rows would be lost or made up; " + where + ".");
      }
    }
    return records();
  }

  /** A file URI as people read it (no %20). */
  static String display(String file) {
    try {
      return new Path(new URI(file)).toString();
    } catch (Exception e) {
      return file;
    }
  }

  /** Counts one file on an executor, decompressing it with the codec its name implies (as Spark does). */
  private static final class CountFile implements Function<String, Tuple2<String, long[]>> {

    private static final long serialVersionUID = 1L;

    private final SerializableWritable<Configuration> conf;
    private final CsvOptions csv;

    CountFile(SerializableWritable<Configuration> conf, CsvOptions csv) {
      this.conf = conf;
      this.csv = csv;
    }

    @Override
    public Tuple2<String, long[]> call(String file) throws IOException {
      Configuration hadoop = conf.value();
      Path path = new Path(URI.create(file));
      FileSystem fs = path.getFileSystem(hadoop);
      CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(path);
      try (InputStream raw = fs.open(path);
           InputStream in = codec == null ? raw : codec.createInputStream(raw);
           Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        return new Tuple2<>(file, CsvRecordCounter.count(reader, csv, csv.maxQuotedLines()).toArray());
      }
    }
  }
}
