package org.sparkpeft.models.peft.ia3;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftConfigFields;
import org.sparkpeft.models.peft.PeftMethod;
import org.sparkpeft.models.peft.TensorName;

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

  @Override
  public void putPeftFields(ObjectNode json, Ia3Config ia3) {
    PeftConfigFields.modules(json.putArray("target_modules"), ia3.targetModules());
    PeftConfigFields.modules(json.putArray("feedforward_modules"), ia3.feedforwardModules());
    PeftConfigFields.layers(json, ia3.layers());
    json.put("fan_in_fan_out", false);
    json.put("init_ia3_weights", true);
  }

  /**
   * PEFT's {@code <module>.ia3_l}: DL4J holds [1, n]; PEFT holds [1, in] for feed-forward modules (e.g.
   * {@code output.dense.ia3_l}) and [out, 1] otherwise ({@code attention.self.key.ia3_l}).
   */
  @Override
  public TensorName blockTensorName(String param) {
    for (DenseRole role : DenseRole.values()) {
      if (param.equals(Ia3Hook.vector(role))) {
        return new TensorName(role.modulePath() + ".ia3_l", !Ia3Hook.scalesInput(role));
      }
    }
    return null;
  }
}
