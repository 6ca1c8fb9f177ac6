package org.sparkpeft.models.peft.adapter;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftConfigFields;
import org.sparkpeft.models.peft.PeftMethod;
import org.sparkpeft.models.peft.TensorName;

/** The {@code adapter} method: adds the two bottleneck adapters to the targeted blocks and trains exactly those. */
public final class AdapterMethod implements PeftMethod<AdapterConfig> {

  @Override
  public String type() {
    return AdapterConfig.TYPE;
  }

  @Override
  public Class<AdapterConfig> configType() {
    return AdapterConfig.class;
  }

  @Override
  public MethodOptions options() {
    return AdapterConfig.OPTIONS;
  }

  @Override
  public AdapterConfig parse(Map<String, String> options, HeadConfig head) {
    return AdapterConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, AdapterConfig config) {
    Set<String> created = new LinkedHashSet<>();
    EncoderBlocks.selected(encoder, config.layers(), "adapter").forEach((vertex, block) -> {
      block.addHook(new AdapterHook(config.size(), config.activation(), config.residual()));
      for (String site : AdapterHook.SITES) {
        AdapterHook.params(site).forEach(p -> created.add(vertex + "_" + p));
      }
    });
    return created;
  }

  @Override
  public void putPeftFields(ObjectNode json, AdapterConfig adapter) {
    json.put("adapter_size", adapter.size());
    json.put("adapter_activation", adapter.activation().configName());
    json.put("adapter_residual", adapter.residual());
    json.putArray("adapter_modules").add("attention.output.adapter").add("output.adapter");
    PeftConfigFields.layers(json, adapter.layers());
  }

  /**
   * No PEFT equivalent: a module {@code adapter} inside the module whose output it adapts,
   * {@code attention.output.adapter} (after the attention output projection) and {@code output.adapter} (after the
   * FFN output projection), each with nn.Linear-style {@code down.weight} [size, hidden], {@code down.bias} [size],
   * {@code up.weight} [hidden, size], {@code up.bias} [hidden].
   */
  @Override
  public TensorName blockTensorName(String param) {
    for (String[] site : new String[][] {{AdapterHook.ATTENTION_ADAPTER, "attention.output.adapter"},
        {AdapterHook.OUTPUT_ADAPTER, "output.adapter"}}) {
      java.util.List<String> params = AdapterHook.params(site[0]);
      String[] suffixes = {".down.weight", ".down.bias", ".up.weight", ".up.bias"};
      for (int i = 0; i < params.size(); i++) {
        if (param.equals(params.get(i))) {
          return new TensorName(site[1] + suffixes[i], i % 2 == 0);
        }
      }
    }
    return null;
  }
}
