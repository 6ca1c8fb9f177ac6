package org.sparkpeft.job.train.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;

import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.sparkpeft.job.data.DataIdentity;
import org.sparkpeft.job.model.ModelLocation;
import org.sparkpeft.job.train.ModelSpec;
import org.sparkpeft.models.BaseModel;
import org.sparkpeft.models.peft.PeftModel;
import org.sparkpeft.models.train.TrunkSplit;

/** The executor-side store of trunk features, and the cache key. */
class FeatureStoreTest {

  @Test
  void anEntryIsFoundByItsTokenIdsAndTheCapRefusesWhatDoesNotFit() throws Exception {
    FeatureCacheSpec spec = spec("a".repeat(64), "run-1", 0);
    FeatureStore store = FeatureStore.open(spec);
    try {
      assertSame(store, FeatureStore.open(spec), "one store per run and JVM");
      assertFalse(store.put(new int[] {101, 7, 102}, new float[] {1f}), "a 0 MB cap stores nothing");
      assertNull(store.get(new int[] {101, 7, 102}));
    } finally {
      assertTrue(FeatureStore.drop(spec.storeId()));
    }

    FeatureStore small = new FeatureStore(Files.createTempDirectory("fs").resolve("store"), 10 * Float.BYTES);
    int[] ids = {101, 2023, 2003, 102};
    float[] values = {0.5f, -1.25f, 3e-8f, Float.MAX_VALUE, 0f, -0f};
    assertTrue(small.put(ids, values));
    ids[1] = 9; // the store kept its own copy of the ids
    assertArrayEquals(values, small.get(new int[] {101, 2023, 2003, 102}));
    assertNull(small.get(new int[] {101, 2023, 2003}), "another row (a prefix) is a miss");
    assertNull(small.get(new int[] {101, 2023, 2003, 103}), "another row is a miss");
    assertTrue(small.put(new int[] {101, 2023, 2003, 102}, new float[] {9f}), "stored already: the first stays");
    assertArrayEquals(values, small.get(new int[] {101, 2023, 2003, 102}));
    assertFalse(small.put(new int[] {5}, new float[5]), "6 + 5 floats exceed the 10-float cap");
    assertTrue(small.put(new int[] {6}, new float[] {1f, 2f, 3f, 4f}), "6 + 4 floats fit");
    assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, small.get(new int[] {6}));
    assertEquals(2, small.examples());
    assertEquals(40, small.bytes());
  }

  @Test
  void dropDeletesTheStoresFiles() {
    FeatureCacheSpec spec = spec("b".repeat(64), "run-2", 1);
    FeatureStore store = FeatureStore.open(spec);
    assertTrue(store.put(new int[] {1, 2}, new float[] {1f, 2f}));
    assertTrue(Files.isDirectory(store.dir()));
    assertTrue(FeatureStore.drop(spec.storeId()));
    assertFalse(Files.exists(store.dir()));
    assertFalse(FeatureStore.drop(spec.storeId()), "dropped already");
    assertNotEquals(store, FeatureStore.open(spec), "a new store after a drop");
    FeatureStore.drop(spec.storeId());
  }

  @Test
  void theKeyChangesWithTheBaseTheDataOrTheTrunkAndNotWithTheHead() {
    BaseModel base = BaseModel.defaultModel();
    TrunkSplit head = split(base, "head", Map.of(), 0);
    TrunkSplit headWithHidden = split(base, "head", Map.of(), 16);
    TrunkSplit lastTwo = split(base, "last_n", Map.of("n", "2"), 0);
    DataIdentity data = new DataIdentity("a", "csv", 1000, "c".repeat(64));
    String key = FeatureCacheSpec.key(base.fingerprint(), data, head);

    assertEquals(key, FeatureCacheSpec.key(base.fingerprint(), new DataIdentity("elsewhere", "x", 1000,
        "c".repeat(64)), head), "the data's path is not its content");
    assertEquals(key, FeatureCacheSpec.key(base.fingerprint(), data, headWithHidden), "the head is not in the trunk");
    assertNotEquals(key, FeatureCacheSpec.key("0".repeat(64), data, head), "another base");
    assertNotEquals(key, FeatureCacheSpec.key(base.fingerprint(), new DataIdentity("a", "csv", 1000, "d".repeat(64)),
        head), "other data");
    assertNotEquals(key, FeatureCacheSpec.key(base.fingerprint(), new DataIdentity("a", "csv", 999, "c".repeat(64)),
        head), "other rows");
    assertNotEquals(key, FeatureCacheSpec.key(base.fingerprint(), data, lastTwo), "another trunk");
    assertNotEquals(spec(key, "run-1", 1).storeId(), spec(key, "run-2", 1).storeId(), "runs never share a store");
  }

  @Test
  void theCacheIsPlannedOnlyWhenItIsOnTheRunHasASecondEpochAndTheTrunkHoldsABlock() {
    BaseModel base = BaseModel.defaultModel();
    PeftModel head = model(base, "head", Map.of(), 0);
    PeftModel loraEverywhere = model(base, "lora", Map.of("r", "4"), 0);
    java.util.function.Supplier<DataIdentity> data = () -> {
      throw new AssertionError("the data's identity is computed only for a cache that is used");
    };
    assertNull(FeatureCaching.plan(null, train(2, false), head, base.fingerprint(), data), "off");
    assertNull(FeatureCaching.plan(null, train(1, true), head, base.fingerprint(), data), "one epoch");
    assertNull(FeatureCaching.plan(null, train(2, true), loraEverywhere, base.fingerprint(), data),
        "LoRA on block 0: only the embeddings are frozen below it");
    assertEquals(0, TrunkSplit.of(loraEverywhere).trunkBlocks());
  }

  private static org.sparkpeft.job.train.config.TrainConfig.Train train(int epochs, boolean cache) {
    return new org.sparkpeft.job.train.config.TrainConfig.Train(epochs, 8, 1, 2, 42, 0, 0,
        org.sparkpeft.job.train.config.TrainConfig.ClassWeights.NONE, new org.sparkpeft.job.train.config.TrainConfig.FeatureCache(cache, 100));
  }

  private static TrunkSplit split(BaseModel base, String method, Map<String, String> options, int headHidden) {
    return TrunkSplit.of(model(base, method, options, headHidden));
  }

  private static PeftModel model(BaseModel base, String method, Map<String, String> options, int headHidden) {
    return new ModelSpec(ModelLocation.defaultModel(), base.fingerprint(), method, options, 2, headHidden,
        0.1, 1e-3, 0.01, 0, 10, 42).build(base);
  }

  private static FeatureCacheSpec spec(String key, String run, long maxMb) {
    return new FeatureCacheSpec(key, run, maxMb, new LongAccumulator(), new LongAccumulator(), new LongAccumulator());
  }
}
