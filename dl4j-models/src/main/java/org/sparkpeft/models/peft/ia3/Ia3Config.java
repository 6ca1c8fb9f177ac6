package org.sparkpeft.models.peft.ia3;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.OptionSpec;
import org.sparkpeft.models.peft.PeftConfig;
import org.sparkpeft.models.peft.PeftOptions;

/**
 * IA3 (Liu et al. 2022, "(IA)^3") as Hugging Face PEFT configures it for BERT: learned vectors, initialised to 1,
 * that rescale the key and value projections' outputs (size hidden) and the feed-forward activation, i.e. the
 * input of the FFN output projection (size intermediate; PEFT's {@code feedforward_modules}).
 *
 * <p>Roles: {@code output} is the FFN output projection, scaled on its input; every other role is scaled on its
 * output. (PEFT's BERT default {@code ["key", "value", "output.dense"]} matches by suffix and so also catches
 * {@code attention.output.dense}; sparkpeft's default targets exactly key, value and the FFN, as the IA3 paper
 * does; add {@code attention_output} to scale that projection's output too.)
 *
 * @param targetModules roles with an IA3 vector (non-empty)
 * @param layers block indices that get IA3; empty = every block
 * @param head the classification head trained alongside
 */
public record Ia3Config(Set<DenseRole> targetModules, Set<Integer> layers, HeadConfig head) implements PeftConfig {

  public static final String TYPE = "ia3";
  public static final String DEFAULT_TARGETS = "key,value,output";

  public Ia3Config {
    if (targetModules == null || targetModules.isEmpty()) {
      throw new IllegalArgumentException("ia3 option target_modules must name at least one module");
    }
    targetModules = java.util.Collections.unmodifiableSet(EnumSet.copyOf(targetModules));
    layers = PeftOptions.checkedLayers(layers, "ia3");
    if (head == null) {
      throw new IllegalArgumentException("a head config is required");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The targeted roles IA3 scales on their input (PEFT's {@code feedforward_modules}). */
  public Set<DenseRole> feedforwardModules() {
    Set<DenseRole> out = EnumSet.noneOf(DenseRole.class);
    targetModules.stream().filter(Ia3Hook::scalesInput)
        .forEach(out::add);
    return out;
  }

  /** IA3's options: PEFT's {@code target_modules} (sparkpeft's roles) and {@code layers_to_transform}. */
  public static final MethodOptions OPTIONS = MethodOptions.of(TYPE,
      OptionSpec.choices("target_modules", DEFAULT_TARGETS, DenseRole.configNames(), null,
          "roles with a scaling vector; output = the feed-forward activation"),
      OptionSpec.integers("layers_to_transform", 0, "block indices that get IA3; empty = every block"));

  /**
   * Options {@code target_modules} (comma-separated roles: query, key, value, attention_output, intermediate,
   * output; default {@value #DEFAULT_TARGETS}) and {@code layers_to_transform} (default every block), as
   * {@link #OPTIONS} declares them.
   *
   * @throws org.sparkpeft.models.peft.InvalidOptionException for an undeclared option or a refused value
   */
  public static Ia3Config parse(Map<String, String> options, HeadConfig head) {
    MethodOptions.Values v = OPTIONS.read(options);
    Set<DenseRole> roles = EnumSet.noneOf(DenseRole.class);
    v.choices("target_modules").forEach(name -> roles.add(DenseRole.fromConfigName(name)));
    return new Ia3Config(roles, v.integers("layers_to_transform"), head);
  }
}
