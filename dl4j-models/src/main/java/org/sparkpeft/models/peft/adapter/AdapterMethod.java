package org.sparkpeft.models.peft.adapter;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftMethod;

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
      block.setAdapter(config.size(), config.activation(), config.residual());
      for (String site : TransformerBlockConf.ADAPTER_SITES) {
        TransformerBlockConf.adapterParams(site).forEach(p -> created.add(vertex + "_" + p));
      }
    });
    return created;
  }
}
