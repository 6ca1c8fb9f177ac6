package org.sparkpeft.models.bert;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** JUnit extension: ND4J's default types are double for the test class (gradient checks), restored after. */
public final class DoublePrecision implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DoublePrecision.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("previous", Nd4j.dataType());
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    DataType previous = context.getStore(NS).get("previous", DataType.class);
    Nd4j.setDefaultDataTypes(previous, previous);
  }
}
