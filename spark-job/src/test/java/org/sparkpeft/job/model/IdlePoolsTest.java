package org.sparkpeft.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class IdlePoolsTest {

  private final AtomicLong now = new AtomicLong();
  private final IdlePools pools = new IdlePools(2, TimeUnit.MINUTES.toNanos(2), now::get);

  @Test
  void anObjectGivenBackIsBorrowedAgainOnceForItsKeyOnly() {
    Object model = new Object();
    pools.add("run-1", model);
    assertNull(pools.poll("run-2"));
    assertSame(model, pools.poll("run-1"));
    assertNull(pools.poll("run-1"), "borrowed: no longer idle");
  }

  @Test
  void beyondMaxKeysTheLeastRecentlyUsedKeyLosesItsObjects() {
    Object a = new Object();
    Object b = new Object();
    pools.add("a", a);
    pools.add("b", b);
    assertSame(a, pools.poll("a")); // a task borrows a's model and gives it back: a is now the most recently used
    pools.add("a", a);
    pools.add("c", new Object()); // three keys: b is the least recently used
    assertEquals(2, pools.idleObjects());
    assertNull(pools.poll("b"));
    assertSame(a, pools.poll("a"));
  }

  @Test
  void aKeyIdleLongerThanTheLimitLosesItsObjectsAtTheNextCall() {
    Object kept = new Object();
    pools.add("old", new Object());
    now.addAndGet(TimeUnit.SECONDS.toNanos(90));
    pools.add("recent", kept);
    now.addAndGet(TimeUnit.SECONDS.toNanos(60)); // old: 150 s idle, recent: 60 s
    assertNull(pools.poll("unknown"));
    assertEquals(1, pools.idleObjects());
    assertNull(pools.poll("old"));
    assertSame(kept, pools.poll("recent"));
  }
}
