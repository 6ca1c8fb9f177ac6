package org.sparkpeft.models.peft.auto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * What {@code auto} trains: every selectable group with its importance and its choice (frozen, fully trained,
 * or LoRA of a rank), under a budget of encoder parameters. The head always trains and is not counted in the budget
 * (the adapter's reported trainable count includes it, as for every method).
 *
 * @param budget the most encoder parameters the plan may train
 * @param baseParams the base encoder's parameter count (what a percentage budget is of)
 * @param batches how many batches the importance was estimated on
 * @param entries one per group, in {@link ParamGroup#of} order
 */
public record AutoPlan(long budget, long baseParams, long batches, List<Entry> entries) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a group trains. */
  public enum Choice {
    FROZEN, FULL, LORA;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Choice of(String label, String source) {
      for (Choice c : values()) {
        if (c.label().equals(label)) {
          return c;
        }
      }
      throw new IllegalArgumentException(source + ": unknown choice '" + label + "' (frozen, full or lora)");
    }
  }

  /**
   * One group's line of the plan.
   *
   * @param group the {@link ParamGroup#id}
   * @param kind matrix, bias or norm
   * @param fisher mean squared batch gradient, summed over the group
   * @param taylor mean |gradient x weight|, summed over the group
   * @param choice what trains
   * @param rank the LoRA rank, else 0
   * @param params parameters trained for this group (0 when frozen)
   */
  public record Entry(String group, String kind, double fisher, double taylor, Choice choice, int rank, long params) {

    public Entry {
      if (group == null || kind == null || choice == null) {
        throw new IllegalArgumentException("a plan entry needs a group, a kind and a choice");
      }
      if ((choice == Choice.LORA) != (rank > 0) || rank < 0) {
        throw new IllegalArgumentException(group + ": a LoRA choice needs a rank >= 1, other choices rank 0");
      }
      if ((choice == Choice.FROZEN) != (params == 0) || params < 0) {
        throw new IllegalArgumentException(group + ": a trained group has parameters, a frozen one none");
      }
    }

    /** "frozen", "full" or "lora r=4". */
    public String trained() {
      return choice == Choice.LORA ? "lora r=" + rank : choice.label();
    }
  }

  public AutoPlan {
    entries = List.copyOf(entries);
    long planned = entries.stream().mapToLong(Entry::params).sum();
    if (budget < 0 || planned > budget) {
      throw new IllegalArgumentException("the plan trains " + planned + " parameters, over its budget of " + budget);
    }
  }

  /** Encoder parameters the plan trains (at most {@link #budget}). */
  public long planned() {
    return entries.stream().mapToLong(Entry::params).sum();
  }

  /** The trained entries, in group order. */
  public List<Entry> trained() {
    return entries.stream().filter(e -> e.choice() != Choice.FROZEN).toList();
  }

  /** A readable table: group, kind, scores, what trains, parameters; then the totals. */
  public String table() {
    int width = Math.max(5, entries.stream().mapToInt(e -> e.group().length()).max().orElse(5));
    StringBuilder out = new StringBuilder();
    String row = "%-" + width + "s  %-6s  %11s  %11s  %-9s  %,10d%n";
    out.append(String.format(Locale.ROOT, "%-" + width + "s  %-6s  %11s  %11s  %-9s  %10s%n", "group", "kind",
        "fisher", "|g*w|", "trained", "params"));
    for (Entry e : entries) {
      out.append(String.format(Locale.ROOT, row, e.group(), e.kind(), sci(e.fisher()), sci(e.taylor()), e.trained(),
          e.params()));
    }
    out.append(String.format(Locale.ROOT, "planned %,d of a budget of %,d encoder parameters (%.4f %% of the base's "
        + "%,d), %d of %d groups trained, importance from %d batches; the head trains on top%n", planned(), budget,
        baseParams == 0 ? 0 : 100.0 * planned() / baseParams, baseParams, trained().size(), entries.size(), batches));
    return out.toString();
  }

  private static String sci(double v) {
    return String.format(Locale.ROOT, "%.4e", v);
  }

  public ObjectNode toJsonNode() {
    ObjectNode json = JSON.createObjectNode();
    json.put("budget", budget);
    json.put("base_params", baseParams);
    json.put("planned", planned());
    json.put("batches", batches);
    ArrayNode groups = json.putArray("groups");
    for (Entry e : entries) {
      ObjectNode g = groups.addObject();
      g.put("group", e.group());
      g.put("kind", e.kind());
      g.put("fisher", e.fisher());
      g.put("taylor", e.taylor());
      g.put("trained", e.choice().label());
      if (e.rank() > 0) {
        g.put("rank", e.rank());
      }
      g.put("params", e.params());
    }
    return json;
  }

  /** One-line JSON (as stored in an adapter's options). */
  public String toJson() {
    return toJsonNode().toString();
  }

  /** Indented JSON (as {@code select} writes it). */
  public String toPrettyJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJsonNode()) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The plan {@link #toJson} wrote; anything else is an IllegalArgumentException naming {@code source}. */
  public static AutoPlan fromJson(String text, String source) {
    JsonNode json;
    try {
      json = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " is not a JSON plan: " + e.getMessage(), e);
    }
    if (json == null || !json.isObject() || !json.path("groups").isArray()) {
      throw new IllegalArgumentException(source + " is not an auto plan (it needs a groups array)");
    }
    List<Entry> entries = new ArrayList<>();
    for (JsonNode g : json.path("groups")) {
      entries.add(new Entry(g.path("group").asText(), g.path("kind").asText(), g.path("fisher").asDouble(),
          g.path("taylor").asDouble(), Choice.of(g.path("trained").asText(), source), g.path("rank").asInt(0),
          g.path("params").asLong()));
    }
    try {
      return new AutoPlan(json.path("budget").asLong(), json.path("base_params").asLong(), json.path("batches")
          .asLong(), entries);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }
}
