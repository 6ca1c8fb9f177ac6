package org.sparkpeft.models.peft.auto;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.bert.layers.SparkpeftLayerConf;
import org.sparkpeft.models.bert.layers.TransformerBlockConf;
import org.sparkpeft.models.peft.EncoderBlocks;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftMethod;
import org.sparkpeft.models.peft.lora.LoraHook;

/**
 * The {@code auto} method: applies a plan. Fully trained groups select the base's own parameters (saved under
 * Hugging Face's names, like last_n and bitfit); LoRA groups get a {@link LoraHook} per block and rank (saved
 * under LoRA's PEFT names), so one block can hold LoRA of rank 2 on query and rank 8 on the intermediate dense.
 */
public final class AutoMethod implements PeftMethod<AutoConfig> {

  @Override
  public String type() {
    return AutoConfig.TYPE;
  }

  @Override
  public Class<AutoConfig> configType() {
    return AutoConfig.class;
  }

  @Override
  public MethodOptions options() {
    return AutoConfig.OPTIONS;
  }

  @Override
  public AutoConfig parse(Map<String, String> options, HeadConfig head) {
    return AutoConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, AutoConfig config) {
    AutoPlan plan = config.plan();
    if (plan == null) {
      throw new IllegalArgumentException("auto has no plan yet: select one first (bin/sparkpeft select, or train "
          + "selects it) or give method.options.plan");
    }
    Map<String, ParamGroup> groups = new LinkedHashMap<>();
    ParamGroup.of(encoder).forEach(g -> groups.put(g.id(), g));
    Set<String> selected = new LinkedHashSet<>();
    // block vertex -> rank -> roles
    Map<String, Map<Integer, Set<DenseRole>>> lora = new LinkedHashMap<>();
    for (AutoPlan.Entry entry : plan.trained()) {
      ParamGroup group = groups.get(entry.group());
      if (group == null) {
        throw new IllegalArgumentException("the auto plan trains " + entry.group() + ", which this encoder lacks");
      }
      long expected = entry.choice() == AutoPlan.Choice.LORA ? group.loraCount(entry.rank()) : group.count();
      if (entry.choice() == AutoPlan.Choice.LORA && !group.takesRank(entry.rank()) || expected != entry.params()) {
        throw new IllegalArgumentException("the auto plan's " + entry.trained() + " of " + entry.group() + " ("
            + entry.params() + " parameters) does not fit this encoder's " + group.nIn() + " x " + group.nOut());
      }
      if (entry.choice() == AutoPlan.Choice.FULL) {
        selected.addAll(group.keys());
        if (config.fullLr() != 1) {
          SparkpeftLayerConf layer = layerOf(encoder, group.vertex());
          group.params().forEach(p -> layer.setRateFactor(p, config.fullLr()));
        }
      } else {
        lora.computeIfAbsent(group.vertex(), v -> new TreeMap<>())
            .computeIfAbsent(entry.rank(), r -> EnumSet.noneOf(DenseRole.class)).add(group.role());
      }
    }
    Map<String, TransformerBlockConf> blocks = EncoderBlocks.of(encoder);
    lora.forEach((vertex, byRank) -> byRank.forEach((rank, roles) -> {
      blocks.get(vertex).addHook(new LoraHook(rank, config.scale(rank), 0.0, roles, false));
      for (DenseRole role : roles) {
        selected.add(vertex + "_" + LoraHook.a(role));
        selected.add(vertex + "_" + LoraHook.b(role));
      }
    }));
    return selected;
  }

  private static SparkpeftLayerConf layerOf(ComputationGraphConfiguration encoder, String vertex) {
    if (encoder.getVertices().get(vertex) instanceof LayerVertex v
        && v.getLayerConf().getLayer() instanceof SparkpeftLayerConf layer) {
      return layer;
    }
    throw new IllegalArgumentException("the auto plan trains a group of " + vertex + ", not a sparkpeft layer");
  }

  /** The budget and the trained groups (the full plan, scores included, is in sparkpeft's block). */
  @Override
  public void putPeftFields(ObjectNode json, AutoConfig config) {
    json.put("budget", config.budget().text());
    json.put("lora_alpha", config.loraAlpha());
    json.put("lora_scale", config.loraScale());
    json.put("full_lr", config.fullLr());
    if (config.plan() != null) {
      json.put("planned_params", config.plan().planned());
      ArrayNode trained = json.putArray("trained_groups");
      List<AutoPlan.Entry> entries = config.plan().trained();
      for (AutoPlan.Entry e : entries) {
        trained.add(e.group() + " " + e.trained());
      }
    }
  }
}
