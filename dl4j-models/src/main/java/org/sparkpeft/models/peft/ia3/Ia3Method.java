package org.sparkpeft.models.peft.ia3;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftMethod;

/** The {@code ia3} method: adds a scaling vector (ones) to the targeted roles of the targeted blocks and trains exactly those. */
public final class Ia3Method implements PeftMethod<Ia3Config> {

  @Override
  public String type() {
    return Ia3Config.TYPE;
  }

  @Override
  public String peftType() {
    return "IA3";
  }

  @Override
  public Class<Ia3Config> configType() {
    return Ia3Config.class;
  }

  @Override
  public MethodOptions options() {
    return Ia3Config.OPTIONS;
  }

  @Override
  public Ia3Config parse(Map<String, String> options, HeadConfig head) {
    return Ia3Config.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, Ia3Config config) {
    Set<String> created = new LinkedHashSet<>();
    EncoderBlocks.selected(encoder, config.layers(), "ia3").forEach((vertex, block) -> {
      block.addHook(new Ia3Hook(config.targetModules()));
      for (DenseRole role : config.targetModules()) {
        created.add(vertex + "_" + Ia3Hook.vector(role));
      }
    });
    return created;
  }
}
