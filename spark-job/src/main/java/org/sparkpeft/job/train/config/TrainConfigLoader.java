package org.sparkpeft.job.train.config;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import org.sparkpeft.data.UserError;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.InvalidOptionException;
import org.sparkpeft.models.peft.PeftMethods;

/**
 * Reads a training job: the defaults ({@code train-defaults.conf}), then a HOCON job config, then
 * {@code key=value} overrides. Unknown keys are refused (except under {@code method.options}, which the method
 * validates); every bad value stops the job before Spark starts with one sentence naming the key.
 */
public final class TrainConfigLoader {

  private static final String DEFAULTS = "org/sparkpeft/job/train-defaults.conf";
  private static final String OPTIONS = "method.options";

  private TrainConfigLoader() {}

  public static TrainConfig load(File file, List<String> overrides) {
    Config defaults = ConfigFactory.parseResources(TrainConfigLoader.class.getClassLoader(), DEFAULTS);
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
    Config user = overrides(overrides, defaults).withFallback(fromFile);
    refuseUnknown(user, defaults, file);
    TrainConfig config;
    try {
      Config c = user.withFallback(defaults).resolve();
      Set<String> explicit = new TreeSet<>();
      user.entrySet().forEach(e -> explicit.add(e.getKey()));
      config = read(c, methodOptions(user, defaults, c), explicit);
    } catch (ConfigException e) {
      // a shape the checks above do not foresee (e.g. a key set to null): still one sentence, no stack trace
      throw new UserError("the training config is not valid: " + e.getMessage() + ".");
    }
    checkMethod(config);
    return config;
  }

  private static TrainConfig read(Config c, Map<String, String> options, Set<String> explicit) {
    return new TrainConfig(
        text(c, "data", true),
        blankToNull(text(c, "model", false)),
        text(c, "method.type", true),
        options,
        new TrainConfig.Head(atLeast(c, "head.hidden", 0), fraction(c, "head.dropout"), headInit(c)),
        new TrainConfig.Optimizer(positive(c, "optimizer.lr"), nonNegative(c, "optimizer.weight-decay"),
            fraction(c, "optimizer.warmup-fraction"), nonNegative(c, "optimizer.head-lr")),
        new TrainConfig.Train(atLeast(c, "train.epochs", 1), atLeast(c, "train.batch-size", 1),
            atLeast(c, "train.averaging-frequency", 1), atLeast(c, "train.workers", 1), longValue(c, "train.seed"),
            atLeast(c, "checkpoint.every-rounds", 0), maxLength(c), classWeights(c), featureCache(c)),
        new TrainConfig.Eval(atLeast(c, "eval.every-rounds", 0), metric(c), atLeast(c, "eval.patience", 0)),
        new TrainConfig.Output(text(c, "output.path", true), bool(c, "output.overwrite")),
        new TrainConfig.Baseline(bool(c, "baseline.enabled")), explicit);
  }

  private static int maxLength(Config c) {
    int value = atLeast(c, "train.max-length", 0);
    if (value == 1) {
      throw new UserError("train.max-length must be 0 (as prepared) or >= 2 ([CLS] and [SEP]), got 1.");
    }
    return value;
  }

  private static TrainConfig.HeadInit headInit(Config c) {
    try {
      return TrainConfig.HeadInit.valueOf(c.getString("head.init").trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | ConfigException e) {
      throw new UserError("head.init must be one of [probe, random], got " + given(c, "head.init") + ".");
    }
  }

  private static TrainConfig.ClassWeights classWeights(Config c) {
    try {
      return TrainConfig.ClassWeights.valueOf(c.getString("train.class-weights").trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | ConfigException e) {
      throw new UserError("train.class-weights must be one of [auto, balanced, none], got "
          + given(c, "train.class-weights") + ".");
    }
  }

  /**
   * The method's options as strings: the user's, plus the defaults' when the method is the default one. A HOCON list
   * ({@code target_modules = [query, value]}) is the same as its comma-separated text.
   */
  private static Map<String, String> methodOptions(Config user, Config defaults, Config c) {
    Config methodOptions = c.getConfig(OPTIONS);
    if (user.hasPath("method.type") && !user.getString("method.type").equals(defaults.getString("method.type"))) {
      // another method: the default method's options do not apply
      methodOptions = user.hasPath(OPTIONS) ? user.getConfig(OPTIONS) : ConfigFactory.empty();
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : methodOptions.entrySet()) {
      Object value = e.getValue().unwrapped();
      options.put(e.getKey(), value instanceof List<?> list
          ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(value));
    }
    return options;
  }

  /**
   * The method's own check of its options (before Spark starts); the label count is not known yet, 2 stands in. A
   * refused option's sentence already names its full key ({@code method.options.<name>}).
   */
  private static void checkMethod(TrainConfig config) {
    try {
      PeftMethods.parse(config.methodType(), config.methodOptions(),
          new HeadConfig(2, config.head().hidden(), config.head().dropout()));
    } catch (InvalidOptionException e) {
      throw new UserError(e.getMessage() + ".", e);
    } catch (IllegalArgumentException e) {
      throw new UserError("method." + (PeftMethods.types().contains(config.methodType()) ? "options" : "type") + ": "
          + e.getMessage() + (e.getMessage().endsWith(".") ? "" : "."), e);
    }
  }

  private static Config overrides(List<String> overrides, Config defaults) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (String override : overrides) {
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new UserError("'" + override + "' is not a key=value setting.");
      }
      String key = override.substring(0, eq).trim();
      String value = override.substring(eq + 1).trim();
      refuseSection(key, value, defaults);
      map.put(key, value);
    }
    try {
      return ConfigFactory.parseMap(map, "command line");
    } catch (ConfigException e) {
      throw new UserError("command-line settings are not valid: " + e.getMessage() + ".");
    }
  }

  private static void refuseUnknown(Config user, Config defaults, File file) {
    Set<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(OPTIONS + ".")) {
        continue;
      }
      if (!defaults.hasPath(key)) {
        unknown.add(key);
        continue;
      }
      refuseSection(key, e.getValue().unwrapped(), defaults);
      if (e.getValue().valueType() == ConfigValueType.LIST) {
        throw new UserError(key + " must be a single value, got " + e.getValue().unwrapped() + ".");
      }
    }
    if (!unknown.isEmpty()) {
      throw new UserError("unknown training key" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
          + (file == null ? "" : " (in " + file + " or the command line)") + "; see the README's configuration reference.");
    }
  }

  /**
   * Refuses a value given to a section of keys (e.g. {@code method=lora}, where {@code method.type=lora} was meant),
   * which would otherwise replace the whole section.
   */
  private static void refuseSection(String key, Object value, Config defaults) {
    try {
      if (!defaults.hasPath(key) || defaults.getValue(key).valueType() != ConfigValueType.OBJECT) {
        return;
      }
    } catch (ConfigException.BadPath e) {
      return; // not a key at all: refused where the settings are parsed
    }
    Set<String> children = new TreeSet<>();
    if (key.equals(OPTIONS)) {
      children.add(OPTIONS + ".<name>");
    } else {
      for (Map.Entry<String, ConfigValue> e : defaults.getConfig(key).root().entrySet()) {
        children.add(key + "." + e.getKey() + (e.getValue().valueType() == ConfigValueType.OBJECT ? ".<name>" : ""));
      }
    }
    String hint = key.equals("method") ? "; to choose the PEFT method, set method.type=" + value + " or --method " + value
        : "";
    throw new UserError(key + " is a section (" + String.join(", ", children) + "), not a value" + hint + ".");
  }

  /** How a bad value is quoted back: {@code 'abc'}, or {@code null} for a key set to null. */
  private static String given(Config c, String key) {
    return c.getIsNull(key) ? "null" : "'" + c.getValue(key).unwrapped() + "'";
  }

  private static String text(Config c, String key, boolean required) {
    String value;
    try {
      value = c.getString(key).trim();
    } catch (ConfigException e) {
      throw new UserError(key + " must be text, got " + given(c, key) + ".");
    }
    if (required && value.isEmpty()) {
      throw new UserError(key + " is required.");
    }
    return value;
  }

  private static String blankToNull(String value) {
    return value.isEmpty() ? null : value;
  }

  private static double number(Config c, String key) {
    try {
      return c.getDouble(key);
    } catch (ConfigException e) {
      throw new UserError(key + " must be a number, got " + given(c, key) + ".");
    }
  }

  private static long longValue(Config c, String key) {
    try {
      return c.getLong(key);
    } catch (ConfigException e) {
      throw new UserError(key + " must be an integer, got " + given(c, key) + ".");
    }
  }

  private static int atLeast(Config c, String key, int min) {
    long value = longValue(c, key);
    if (value < min || value > Integer.MAX_VALUE) {
      throw new UserError(key + " must be an integer >= " + min + ", got " + value + ".");
    }
    return (int) value;
  }

  private static double positive(Config c, String key) {
    double value = number(c, key);
    if (!(value > 0)) {
      throw new UserError(key + " must be > 0, got " + value + ".");
    }
    return value;
  }

  private static double nonNegative(Config c, String key) {
    double value = number(c, key);
    if (!(value >= 0)) {
      throw new UserError(key + " must be >= 0, got " + value + ".");
    }
    return value;
  }

  private static double fraction(Config c, String key) {
    double value = number(c, key);
    if (!(value >= 0 && value < 1)) {
      throw new UserError(key + " must be in [0, 1), got " + value + ".");
    }
    return value;
  }

  private static boolean bool(Config c, String key) {
    try {
      return c.getBoolean(key);
    } catch (ConfigException e) {
      throw new UserError(key + " must be true or false, got " + given(c, key) + ".");
    }
  }

  private static TrainConfig.FeatureCache featureCache(Config c) {
    String mode = text(c, "train.feature-cache", true).toLowerCase(Locale.ROOT);
    if (!mode.equals("auto") && !mode.equals("off")) {
      throw new UserError("train.feature-cache must be auto or off, got " + given(c, "train.feature-cache") + ".");
    }
    return new TrainConfig.FeatureCache(mode.equals("auto"), atLeast(c, "train.feature-cache-max-mb", 0));
  }

  private static TrainConfig.Metric metric(Config c) {
    try {
      return TrainConfig.Metric.valueOf(c.getString("eval.metric").trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | ConfigException e) {
      List<String> names = new ArrayList<>();
      for (TrainConfig.Metric m : TrainConfig.Metric.values()) {
        names.add(m.name().toLowerCase(Locale.ROOT));
      }
      throw new UserError("eval.metric must be one of " + names + ", got " + given(c, "eval.metric") + ".");
    }
  }
}
