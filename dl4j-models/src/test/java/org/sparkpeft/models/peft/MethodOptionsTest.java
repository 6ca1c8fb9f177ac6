package org.sparkpeft.models.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The option declarations (type, range or values, default, doc) and the one validator that reads them. */
class MethodOptionsTest {

  @Test
  void everyRegisteredMethodDeclaresItsOptionsUnderItsOwnName() {
    Map<String, List<String>> expected = Map.of(
        "head", List.of(),
        "last_n", List.of("n"),
        "bitfit", List.of(),
        "lora", List.of("r", "lora_alpha", "lora_dropout", "target_modules", "layers_to_transform", "use_rslora"),
        "ia3", List.of("target_modules", "layers_to_transform"),
        "adapter", List.of("size", "activation", "residual", "layers_to_transform"),
        "auto", List.of("budget", "ranks", "lora_alpha", "lora_scale", "full_lr", "sample", "head_steps", "plan",
            "selection"));
    assertEquals(expected.keySet(), PeftMethods.types());
    for (String type : PeftMethods.types()) {
      MethodOptions options = PeftMethods.get(type).options();
      assertEquals(type, options.method());
      assertEquals(expected.get(type), options.names(), type);
      for (OptionSpec spec : options.specs()) {
        assertFalse(spec.doc().isBlank(), type + "." + spec.name() + " has a doc");
      }
    }
  }

  @Test
  void theDefaultsAreTypedAsDeclared() {
    MethodOptions.Values lora = PeftMethods.get("lora").options().read(Map.of());
    assertEquals(8, lora.integer("r"));
    assertEquals(8.0, lora.decimal("lora_alpha"));
    assertEquals(0.0, lora.decimal("lora_dropout"));
    assertEquals(List.of("query", "value"), lora.choices("target_modules"));
    assertEquals(Set.of(), lora.integers("layers_to_transform"));
    assertFalse(lora.bool("use_rslora"));
    assertThrows(IllegalStateException.class, () -> lora.integer("lora_alpha"), "asked with the wrong type");
    assertThrows(IllegalStateException.class, () -> lora.integer("n"), "not declared");
    MethodOptions.Values adapter = PeftMethods.get("adapter").options().read(Map.of("layers_to_transform", "4,1,4"));
    assertEquals("relu", adapter.choice("activation"));
    assertEquals(List.of(1, 4), List.copyOf(adapter.integers("layers_to_transform")));
    assertTrue(adapter.bool("residual"));
  }

  @Test
  void aDeclarationIsCheckedWhenMade() {
    IllegalArgumentException badDefault = assertThrows(IllegalArgumentException.class,
        () -> MethodOptions.of("m", OptionSpec.integer("k", 0, 1, "doc")));
    assertTrue(badDefault.getMessage().contains("has a default its declaration refuses"), badDefault.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> MethodOptions.of("m", OptionSpec.bool("k", true, "doc"), OptionSpec.bool("k", false, "doc")));
    assertThrows(IllegalArgumentException.class, () -> OptionSpec.bool("Bad-Name", true, "doc"));
    assertThrows(IllegalArgumentException.class, () -> OptionSpec.choice("k", "a", List.of(), "doc"));
    assertThrows(IllegalArgumentException.class, () -> OptionSpec.choice("k", "a", List.of("a", "B"), "doc"),
        "input is matched in lower case, so an upper-case value could never be chosen");
    assertThrows(IllegalArgumentException.class,
        () -> new OptionSpec("k", OptionSpec.Type.INT, null, List.of(), null, "1", "doc"));
    assertThrows(IllegalArgumentException.class, () -> new OptionSpec("k", OptionSpec.Type.ENUM, null,
        List.of("a"), "all", "a", "doc"));
  }

  @Test
  void rangesSayWhatTheyAccept() {
    assertEquals(">= 1", OptionSpec.Range.atLeast(1).toString());
    assertEquals("> 0", OptionSpec.Range.above(0).toString());
    assertEquals("in [0, 1)", OptionSpec.Range.closedOpen(0, 1).toString());
    assertEquals("in (0.5, 2]", new OptionSpec.Range(0.5, true, 2, false).toString());
    assertTrue(OptionSpec.Range.closedOpen(0, 1).contains(0));
    assertFalse(OptionSpec.Range.closedOpen(0, 1).contains(1));
    assertFalse(OptionSpec.Range.above(0).contains(0));
    assertFalse(OptionSpec.Range.above(0).contains(Double.NaN));
  }

  @Test
  void anInvalidOptionCarriesItsFullKey() {
    InvalidOptionException e = assertThrows(InvalidOptionException.class,
        () -> PeftMethods.get("lora").options().read(Map.of("r", "abc")));
    assertEquals("method.options.r", e.key());
    InvalidOptionException unknown = assertThrows(InvalidOptionException.class,
        () -> PeftMethods.get("lora").options().read(Map.of("lora_alhpa", "32")));
    assertEquals("method.options.lora_alhpa", unknown.key());
  }

  @Test
  void theNearestNameIsSuggestedOnlyForATypo() {
    assertEquals(1, MethodOptions.distance("lora_alhpa", "lora_alpha"), "one transposition");
    assertEquals(1, MethodOptions.distance("lora_dropot", "lora_dropout"));
    assertEquals(0, MethodOptions.distance("r", "r"));
    MethodOptions lora = PeftMethods.get("lora").options();
    assertTrue(message(lora, "use_rs_lora").contains("(did you mean use_rslora?)"), message(lora, "use_rs_lora"));
    assertTrue(message(lora, "target_module").contains("(did you mean target_modules?)"));
    assertFalse(message(lora, "dropout").contains("did you mean"), message(lora, "dropout"));
  }

  /** The README's method-options table lists every declared option on its method's row. */
  @Test
  void theReadmeReferenceListsEveryDeclaredOption() throws Exception {
    Path readme = Path.of(System.getProperty("sparkpeft.home", "..")).resolve("README.md");
    List<String> lines = Files.readAllLines(readme);
    for (String type : PeftMethods.types()) {
      String row = lines.stream().filter(l -> l.startsWith("| `" + type + "` |")).findFirst()
          .orElseThrow(() -> new AssertionError("README has no method-options row for " + type));
      for (String name : PeftMethods.get(type).options().names()) {
        assertTrue(row.contains("`" + name + "`"), "README's " + type + " row lacks " + name + ": " + row);
      }
    }
  }

  private static String message(MethodOptions options, String name) {
    return assertThrows(InvalidOptionException.class, () -> options.read(Map.of(name, "1"))).getMessage();
  }
}
