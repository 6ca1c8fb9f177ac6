package org.sparkpeft.models;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * JUnit extension: ND4J computes with one native thread for the test class, restored after. On a small machine
 * shared with other builds, ND4J's spinning OpenMP threads make real-model training many times slower than one
 * thread (measured 2-core, loaded: 2.3 s vs 0.14 s per MiniLM head step).
 */
public final class OneNativeThread implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(OneNativeThread.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("threads", new int[] {Nd4j.getEnvironment().maxThreads(),
        Nd4j.getEnvironment().maxMasterThreads()});
    Nd4j.getEnvironment().setMaxThreads(1);
    Nd4j.getEnvironment().setMaxMasterThreads(1);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    int[] threads = context.getStore(NS).get("threads", int[].class);
    Nd4j.getEnvironment().setMaxThreads(threads[0]);
    Nd4j.getEnvironment().setMaxMasterThreads(threads[1]);
  }
}
