package org.sparkpeft.models.bert;

/** The dense projections of a BERT block, addressable by role and block index (PEFT methods target these). */
public enum DenseRole {
  QUERY("attention.self.query", "query"),
  KEY("attention.self.key", "key"),
  VALUE("attention.self.value", "value"),
  ATTENTION_OUTPUT("attention.output.dense", "attentionOutput"),
  INTERMEDIATE("intermediate.dense", "intermediate"),
  OUTPUT("output.dense", "output");

  private final String modulePath;
  private final String paramPrefix;

  DenseRole(String modulePath, String paramPrefix) {
    this.modulePath = modulePath;
    this.paramPrefix = paramPrefix;
  }

  /** Prefix of this projection's DL4J parameter names (no underscore: DL4J splits gradient keys at the last '_'). */
  public String paramPrefix() {
    return paramPrefix;
  }

  /** The Hugging Face module path inside {@code encoder.layer.N}, e.g. "attention.self.query". */
  public String modulePath() {
    return modulePath;
  }

  /** The Hugging Face module name of this projection in block {@code layer}. */
  public String hfModule(int layer) {
    return "encoder.layer." + layer + "." + modulePath;
  }

  /** Lower-case config name: query, key, value, attention_output, intermediate, output. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Every role's {@link #configName()}, in declaration order. */
  public static java.util.List<String> configNames() {
    return java.util.Arrays.stream(values()).map(DenseRole::configName).toList();
  }

  public static DenseRole fromConfigName(String name) {
    for (DenseRole role : values()) {
      if (role.configName().equals(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown target module '" + name + "'; use query, key, value, "
        + "attention_output, intermediate or output");
  }
}
