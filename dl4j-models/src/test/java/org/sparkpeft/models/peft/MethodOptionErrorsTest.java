package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.sparkpeft.models.bert.DenseRole;
import org.sparkpeft.models.peft.adapter.AdapterActivation;
import org.sparkpeft.models.peft.adapter.AdapterConfig;
import org.sparkpeft.models.peft.lora.LoraConfig;

/**
 * Issue #19 item 5 through the registry's {@link PeftMethods#parse}, the one way the job and the adapter reader
 * turn string options into a method config: every undeclared option and every bad value is refused with one
 * sentence naming the full key {@code method.options.<name>} and what is accepted; nothing is silently read.
 */
class MethodOptionErrorsTest {

  private static final HeadConfig HEAD = HeadConfig.linear(2);

  private static String refusal(String type, Map<String, String> options) {
    return assertThrows(IllegalArgumentException.class, () -> PeftMethods.parse(type, options, HEAD)).getMessage();
  }

  @Test
  void aRankThatIsNotAPositiveIntegerNamesTheKeyAndTheRange() {
    assertEquals("method.options.r must be an integer >= 1, got 'abc'", refusal("lora", Map.of("r", "abc")));
    assertEquals("method.options.r must be an integer >= 1, got '0'", refusal("lora", Map.of("r", "0")));
    assertEquals("method.options.r must be an integer >= 1, got '-4'", refusal("lora", Map.of("r", "-4")));
    assertEquals("method.options.r must be an integer >= 1, got '8.5'", refusal("lora", Map.of("r", "8.5")));
  }

  @Test
  void aMisspelledOptionIsRefusedWithTheNearestNameAndEveryAcceptedOne() {
    assertEquals("method.options.lora_alhpa is not an option of lora (did you mean lora_alpha?); lora accepts r, "
            + "lora_alpha, lora_dropout, target_modules, layers_to_transform, use_rslora",
        refusal("lora", Map.of("r", "8", "lora_alhpa", "32")));
    assertEquals("method.options.rank is not an option of lora; lora accepts r, lora_alpha, lora_dropout, "
        + "target_modules, layers_to_transform, use_rslora", refusal("lora", Map.of("rank", "8")));
    assertEquals("method.options.sise is not an option of adapter (did you mean size?); adapter accepts size, "
        + "activation, residual, layers_to_transform", refusal("adapter", Map.of("sise", "8")));
  }

  @Test
  void everyRegisteredMethodRefusesAnOptionItDoesNotDeclare() {
    for (String type : PeftMethods.types()) {
      String message = refusal(type, Map.of("not_an_option", "1"));
      assertTrue(message.startsWith("method.options.not_an_option is not an option of " + type + ";"),
          type + ": " + message);
    }
    assertEquals("method.options.r is not an option of bitfit; bitfit takes no options",
        refusal("bitfit", Map.of("r", "8")));
    assertEquals("method.options.r is not an option of head; head takes no options",
        refusal("head", Map.of("r", "8")));
  }

  @Test
  void aBooleanIsTrueOrFalseAndNothingElse() {
    assertEquals("method.options.use_rslora must be true or false, got 'yes'",
        refusal("lora", Map.of("use_rslora", "yes")));
    assertEquals("method.options.use_rslora must be true or false, got '1'",
        refusal("lora", Map.of("use_rslora", "1")));
    assertEquals("method.options.residual must be true or false, got 'no'",
        refusal("adapter", Map.of("residual", "no")));
    assertTrue(((LoraConfig) PeftMethods.parse("lora", Map.of("use_rslora", "TRUE"), HEAD)).useRslora());
  }

  @Test
  void numbersOutsideTheirRangeNameTheRange() {
    assertEquals("method.options.lora_dropout must be a number in [0, 1), got '1'",
        refusal("lora", Map.of("lora_dropout", "1")));
    assertEquals("method.options.lora_dropout must be a number in [0, 1), got 'high'",
        refusal("lora", Map.of("lora_dropout", "high")));
    assertEquals("method.options.lora_alpha must be a number > 0, got '0'", refusal("lora", Map.of("lora_alpha", "0")));
    assertEquals("method.options.lora_alpha must be a number > 0, got 'NaN'",
        refusal("lora", Map.of("lora_alpha", "NaN")));
    assertEquals("method.options.lora_alpha must be a number > 0, got 'Infinity'",
        refusal("lora", Map.of("lora_alpha", "Infinity")));
    assertEquals("method.options.n must be an integer >= 1, got '0'", refusal("last_n", Map.of("n", "0")));
    assertEquals("method.options.size must be an integer >= 1, got 'big'", refusal("adapter", Map.of("size", "big")));
    assertEquals("method.options.layers_to_transform must be whole numbers >= 0 separated by commas, got '1,x'",
        refusal("ia3", Map.of("layers_to_transform", "1,x")));
    assertEquals("method.options.layers_to_transform must be whole numbers >= 0 separated by commas, got '0,-1'",
        refusal("lora", Map.of("layers_to_transform", "0,-1")));
  }

  @Test
  void unknownRolesAndActivationsListTheAcceptedValues() {
    assertEquals("method.options.target_modules must be one or more of query, key, value, attention_output, "
            + "intermediate, output separated by commas, or all_linear alone, got 'foo'",
        refusal("lora", Map.of("target_modules", "foo")));
    assertEquals("method.options.target_modules must be one or more of query, key, value, attention_output, "
            + "intermediate, output separated by commas, or all_linear alone, got 'query,,value'",
        refusal("lora", Map.of("target_modules", "query,,value")));
    assertEquals("method.options.target_modules must be one or more of query, key, value, attention_output, "
            + "intermediate, output separated by commas, got 'query,dense'",
        refusal("ia3", Map.of("target_modules", "query,dense")));
    assertEquals("method.options.activation must be one of relu, gelu, tanh, got 'swish'",
        refusal("adapter", Map.of("activation", "swish")));
  }

  @Test
  void goodValuesStillParseAndABlankValueMeansTheDefault() {
    assertEquals(new LoraConfig(8, 8, 0, EnumSet.of(DenseRole.QUERY, DenseRole.VALUE), Set.of(), false, HEAD),
        PeftMethods.parse("lora", Map.of("r", " ", "target_modules", ""), HEAD));
    assertEquals(new LoraConfig(4, 32, 0.05, EnumSet.allOf(DenseRole.class), Set.of(0, 3), true, HEAD),
        PeftMethods.parse("lora", Map.of("r", "4", "lora_alpha", "32", "lora_dropout", "0.05",
            "target_modules", "all_linear", "layers_to_transform", "3, 0", "use_rslora", "true"), HEAD));
    assertEquals(new AdapterConfig(16, AdapterActivation.GELU, false, Set.of(), HEAD),
        PeftMethods.parse("adapter", Map.of("size", "16", "activation", "GELU", "residual", "false"), HEAD));
  }
}
