package org.sparkpeft.data.config;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueType;

import org.sparkpeft.data.UserError;
import org.sparkpeft.tokenizer.Truncation;

/**
 * Reads a prepare job config: HOCON (or plain {@code key = value} lines, which are HOCON too) with the defaults of
 * {@code prepare-defaults.conf} under it and {@code key=value} overrides over it. Unknown keys are refused so that
 * typos do not pass silently.
 */
public final class ConfigLoader {

  private static final String DEFAULTS = "org/sparkpeft/data/prepare-defaults.conf";

  private ConfigLoader() {}

  /**
   * @param file a job config, or null
   * @param overrides {@code key=value} settings that win over the file
   * @param defaultInput called when no input.path is set: fetches the default corpus and returns its settings
   *     (input.path, input.format, input.file-glob, input.labels), which replace the user's input.* keys
   */
  public static PrepareConfig load(File file, List<String> overrides,
                                   Function<Config, Map<String, Object>> defaultInput) {
    Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS);
    Config fromFile = ConfigFactory.empty();
    if (file != null) {
      if (!file.isFile()) {
        throw new UserError("config file " + file + " does not exist.");
      }
      try {
        fromFile = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new UserError("config file " + file + " is not valid HOCON: " + e.getMessage() + ".");
      }
    }
    Config user = parseOverrides(overrides).withFallback(fromFile);
    refuseUnknownKeys(user, defaults, file);
    Config config = user.withFallback(defaults).resolve();
    if (config.getString("input.path").isBlank() && defaultInput != null) {
      // the default corpus brings its own input settings; every other key stays the user's
      Config corpus = ConfigFactory.parseMap(defaultInput.apply(config), "default corpus");
      config = corpus.withFallback(user).withFallback(defaults).resolve();
    }
    return toRecord(config);
  }

  static Config parseOverrides(List<String> overrides) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (String override : overrides == null ? List.<String>of() : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new UserError("override '" + override + "' must look like key=value.");
      }
      map.put(override.substring(0, eq).trim(), override.substring(eq + 1).trim());
    }
    try {
      return ConfigFactory.parseMap(map, "command line");
    } catch (ConfigException e) {
      throw new UserError("override keys " + map.keySet() + " are not valid config keys: " + e.getMessage()
          + ".");
    }
  }

  private static void refuseUnknownKeys(Config user, Config defaults, File file) {
    Set<String> unknown = new TreeSet<>();
    user.entrySet().forEach(e -> {
      String key = e.getKey();
      if (!defaults.hasPathOrNull(key)) {
        unknown.add(key);
      }
    });
    if (!unknown.isEmpty()) {
      throw new UserError("unknown config key" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
          + (file != null ? " (in " + file + " or the overrides)" : "") + "; docs/data-prep.md lists the keys.");
    }
  }

  static PrepareConfig toRecord(Config c) {
    try {
      SourceSpec source = new SourceSpec(
          c.getString("input.path"),
          c.getString("input.format").isBlank() ? null : Format.parse(c.getString("input.format")),
          c.getString("input.text-col"),
          c.getString("input.label-col"),
          c.getString("input.id-col"),
          new CsvOptions(c.getString("input.csv.delimiter"), c.getString("input.csv.quote"),
              c.getString("input.csv.escape"), c.getLong("input.csv.max-quoted-lines")),
          c.getString("input.file-glob"),
          stringList(c, "input.labels").stream().map(LabelRule::parse).toList(),
          c.getLong("input.max-document-bytes"),
          stringList(c, "input.email-headers"),
          c.getString("input.record-separator"));
      CleanSpec clean = new CleanSpec(Normalization.parse(c.getString("clean.normalization")),
          c.getInt("clean.max-chars"));
      SplitSpec split = new SplitSpec(c.getLong("split.seed"), c.getDouble("split.train"), c.getDouble("split.val"),
          c.getDouble("split.test"));
      TokenizeSpec tokenize = new TokenizeSpec(c.getString("tokenizer.path"), c.getInt("tokenizer.max-length"),
          truncation(c.getString("tokenizer.truncation")),
          stringList(c, "tokenizer.buckets").stream().map(s -> parseInt("tokenizer.buckets", s)).toList(),
          chunking(c));
      OutputSpec output = new OutputSpec(c.getString("output.path"), c.getBoolean("output.overwrite"));
      return new PrepareConfig(source, clean, split, tokenize, output);
    } catch (ConfigException e) {
      throw new UserError("config problem: " + e.getMessage() + ".");
    }
  }

  /** tokenizer.long-text = truncate (null) or chunk, with tokenizer.chunk-overlap (auto or tokens) and max-chunks. */
  private static TokenizeSpec.Chunking chunking(Config c) {
    String mode = c.hasPath("tokenizer.long-text") ? c.getString("tokenizer.long-text").trim() : "truncate";
    if (mode.equals("truncate")) {
      return null;
    }
    if (!mode.equals("chunk")) {
      throw new UserError("tokenizer.long-text must be truncate or chunk, got '" + mode + "'.");
    }
    String overlap = c.hasPath("tokenizer.chunk-overlap") ? c.getString("tokenizer.chunk-overlap").trim() : "auto";
    int tokens = overlap.equals("auto") ? TokenizeSpec.Chunking.defaultOverlap(c.getInt("tokenizer.max-length"))
        : parseInt("tokenizer.chunk-overlap", overlap);
    int maxChunks = c.hasPath("tokenizer.max-chunks") ? c.getInt("tokenizer.max-chunks")
        : TokenizeSpec.Chunking.DEFAULT_MAX_CHUNKS;
    return new TokenizeSpec.Chunking(tokens, maxChunks);
  }

  private static Truncation truncation(String value) {
    try {
      return Truncation.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UserError("tokenizer." + e.getMessage() + ".");
    }
  }

  /** A list key given either as a HOCON list or as one comma-separated string (handy on the command line). */
  private static List<String> stringList(Config c, String key) {
    if (c.getValue(key).valueType() == ConfigValueType.LIST) {
      List<String> out = new ArrayList<>();
      c.getList(key).forEach(v -> out.add(String.valueOf(v.unwrapped()).trim()));
      return out;
    }
    String value = c.getString(key).trim();
    return value.isEmpty() ? List.of() : Arrays.stream(value.split(",")).map(String::trim).toList();
  }

  private static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new UserError(key + " must hold whole numbers, got '" + value + "'.");
    }
  }
}
