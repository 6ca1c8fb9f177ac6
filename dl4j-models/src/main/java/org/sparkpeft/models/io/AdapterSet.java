package org.sparkpeft.models.io;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.bert.BertGraphs;
import org.sparkpeft.models.bert.layers.PoolingConf;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftModel;

/**
 * Several adapters on one loaded base, like PEFT's {@code load_adapter} / {@code set_adapter}: the base's weights
 * become one encoder graph once; adapters with the same method configuration (same method, options and head)
 * share one adapted graph, and {@link #activate} swaps the active adapter's trainable tensors into it (a copy of
 * a few hundred kB for LoRA, no base weight touched). Adapters of a different structure get their own graph,
 * built from the same in-memory base graph. Not thread-safe: one active adapter at a time.
 */
public final class AdapterSet {

  private record Entry(AdapterInfo info, PeftConfig config, Map<String, INDArray> values) {}

  private final BaseModel base;
  private final ComputationGraph baseGraph;
  private final Map<PeftConfig, PeftModel> graphs = new LinkedHashMap<>();
  private final Map<String, Entry> adapters = new LinkedHashMap<>();
  private String active;

  /** Builds the base's encoder graph (the only time its weights are read). */
  public AdapterSet(BaseModel base) {
    this.base = base;
    this.baseGraph = BertGraphs.embeddingModel(base.weights(), PoolingConf.Mode.MEAN);
  }

  /**
   * Verifies and adds an adapter under {@code name} (refused like {@link AdapterFiles#load}: wrong base, corrupt,
   * incomplete); the first one added becomes active.
   */
  public AdapterInfo add(String name, AdapterFiles.Files files, String source) {
    if (adapters.containsKey(name)) {
      throw new IllegalArgumentException("an adapter named '" + name + "' is already loaded");
    }
    AdapterFiles.Parsed parsed = AdapterFiles.parse(base, files, source);
    PeftModel model = graphs.get(parsed.config());
    boolean created = model == null;
    if (created) {
      model = AdapterFiles.build(baseGraph, parsed);
    } else {
      AdapterFiles.checkTensors(baseGraph, parsed);
    }
    Map<String, INDArray> values = AdapterFiles.values(model, parsed);
    if (created) {
      graphs.put(parsed.config(), model);
    }
    adapters.put(name, new Entry(parsed.info(), parsed.config(), values));
    if (active == null) {
      activate(name);
    }
    return parsed.info();
  }

  /** Makes {@code name} the active adapter: its graph now computes with its tensors. */
  public PeftModel activate(String name) {
    Entry entry = adapters.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no adapter named '" + name + "' is loaded; loaded: " + adapters.keySet());
    }
    PeftModel model = graphs.get(entry.config());
    model.trainableParamTable().forEach((key, view) -> view.assign(entry.values().get(key)));
    active = name;
    return model;
  }

  /** The active adapter's model (base + method + its tensors). */
  public PeftModel active() {
    if (active == null) {
      throw new IllegalStateException("no adapter is loaded");
    }
    return graphs.get(adapters.get(active).config());
  }

  public String activeName() {
    return active;
  }

  public AdapterInfo info(String name) {
    Entry entry = adapters.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no adapter named '" + name + "' is loaded; loaded: " + adapters.keySet());
    }
    return entry.info();
  }

  public Set<String> names() {
    return java.util.Collections.unmodifiableSet(adapters.keySet());
  }

  /** How many adapted graphs exist (one per distinct method configuration). */
  public int graphCount() {
    return graphs.size();
  }

  /** The one encoder graph holding the base's weights, shared by every adapter's graph construction. */
  public ComputationGraph baseGraph() {
    return baseGraph;
  }
}
