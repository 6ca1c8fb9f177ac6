package org.sparkpeft.job.cli;

import picocli.CommandLine.Option;

/** The input table and output folder of the commands that score texts ({@code embed}, {@code predict}). */
public final class TableOptions {

  @Option(names = "--input", required = true,
      description = "Input path (any Hadoop URI): Parquet, JSONL, CSV or TSV.")
  String input;

  @Option(names = "--input-format", description = "parquet | jsonl | csv | tsv (default: from the extension).")
  String inputFormat;

  @Option(names = "--text-col", defaultValue = "text", description = "Text column (default: ${DEFAULT-VALUE}).")
  String textColumn;

  @Option(names = "--id-col", description = "Column copied to the output to identify each row.")
  String idColumn;

  @Option(names = "--output", required = true, description = "Output path (any Hadoop URI), written atomically.")
  String output;

  @Option(names = "--format", description = "parquet | jsonl (default: from the output's extension).")
  String format;

  @Option(names = "--model", description = "Base model folder with one .onnx and tokenizer.json (default: "
      + "all-MiniLM-L6-v2, bundled).")
  String model;

  @Option(names = "--batch-size", defaultValue = "32", description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--overwrite", description = "Replace an existing output.")
  boolean overwrite;
}
