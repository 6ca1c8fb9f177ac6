package org.sparkpeft.models.nativebuild;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Not a backend: a hook that makes {@link NativeBuild#select()}, {@link IdleThreadSettings#apply()},
 * {@link BlasKernels#apply()},
 * {@link MallocSettings#apply()} and {@link OffHeapWatch#start()} run in every JVM before ND4J loads its natives.
 * ND4J finds its backends with a {@link java.util.ServiceLoader}, which creates every registered one (this one
 * included, from {@code META-INF/services}) before it asks the most preferred whether it is available and loads
 * that one's natives. This class ranks last and says it is unavailable, so ND4J never picks it.
 */
public final class NativeBuildSelector extends Nd4jBackend {

  public NativeBuildSelector() {
    NativeBuild.select();
    IdleThreadSettings.apply();
    BlasKernels.apply();
    MallocSettings.apply();
    OffHeapWatch.start();
  }

  @Override
  public boolean allowsOrder() {
    return false;
  }

  /** Below every real backend (CPU 0, GPU 100); not MIN_VALUE: ND4J sorts by subtracting priorities. */
  @Override
  public int getPriority() {
    return -1000;
  }

  @Override
  public boolean isAvailable() {
    return false;
  }

  @Override
  public boolean canRun() {
    return false;
  }

  @Override
  public Resource getConfigurationResource() {
    throw new UnsupportedOperationException("not a backend");
  }

  @Override
  public Class getNDArrayClass() {
    throw new UnsupportedOperationException("not a backend");
  }

  @Override
  public Environment getEnvironment() {
    throw new UnsupportedOperationException("not a backend");
  }

  @Override
  public String buildInfo() {
    return "sparkpeft's native build selector (not a backend)";
  }

  @Override
  public void logBackendInit() {
    // not a backend
  }
}
