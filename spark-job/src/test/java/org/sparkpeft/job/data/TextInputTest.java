package org.sparkpeft.job.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.job.embed.EmbedSpec;
import org.sparkpeft.testsupport.LocalSpark;

class TextInputTest {

  @TempDir
  Path tmp;

  @Test
  void aTsvIsReadOnTabsAndFoundByItsExtension() throws Exception {
    // commas inside the texts: read as CSV, these rows would not split where the file does
    Path tsv = Files.writeString(tmp.resolve("texts.tsv"),
        "doc\ttext\n1\ta small, carnivorous mammal\n2\t\"a sweet baked food,\nmade of dough\"\n");
    assertEquals("tsv", EmbedSpec.format(null, tsv.toString(), "--input-format", "parquet", "jsonl", "csv", "tsv"));
    try (SparkSession spark = LocalSpark.builder("text-input-test").getOrCreate()) {
      List<Row> rows = TextInput.read(spark, tsv.toUri().toString(), "tsv", "text", "doc").orderBy("doc")
          .collectAsList();
      assertEquals(2, rows.size());
      assertEquals("a small, carnivorous mammal", rows.get(0).getAs("text"));
      assertEquals("a sweet baked food,\nmade of dough", rows.get(1).getAs("text"));
      UserError asCsv = assertThrows(UserError.class,
          () -> TextInput.read(spark, tsv.toUri().toString(), "csv", "text"));
      assertTrue(asCsv.getMessage().contains("has no column 'text'"), asCsv.getMessage());
    }
  }
}
