package org.sparkpeft.models.peft.head;

import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.sparkpeft.models.peft.HeadConfig;
import org.sparkpeft.models.peft.MethodOptions;
import org.sparkpeft.models.peft.PeftMethod;

/** The {@code head} method: selects no encoder parameter (the head is always trained). */
public final class HeadOnlyMethod implements PeftMethod<HeadOnlyConfig> {

  @Override
  public String type() {
    return HeadOnlyConfig.TYPE;
  }

  @Override
  public Class<HeadOnlyConfig> configType() {
    return HeadOnlyConfig.class;
  }

  @Override
  public MethodOptions options() {
    return HeadOnlyConfig.OPTIONS;
  }

  @Override
  public HeadOnlyConfig parse(Map<String, String> options, HeadConfig head) {
    return HeadOnlyConfig.parse(options, head);
  }

  @Override
  public Set<String> adapt(ComputationGraphConfiguration encoder, HeadOnlyConfig config) {
    return Set.of();
  }
}
