package org.sparkpeft.data.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpeft.data.UserError;
import org.sparkpeft.data.config.OutputSpec;

/**
 * The output commit: one job per output (lock, stale-lock rule), leftovers of killed runs cleaned, the previous
 * output kept until the new one is in place (and restored when a run died in between), and a {@code _SUCCESS}
 * listing that readers verify.
 */
class AtomicOutputTest {

  @TempDir
  Path tmp;

  private final Configuration conf = new Configuration();

  @Test
  void aCommittedOutputIsListedAndAReplacementKeepsTheOldOneUntilItIsComplete() throws Exception {
    Path out = tmp.resolve("out");
    write(AtomicOutput.begin(conf, spec(out, false)), "a.txt", "old").commit();
    assertEquals("old", Files.readString(out.resolve("a.txt")));
    OutputListing.verify(fs(), hadoop(out), "output");
    String listing = Files.readString(out.resolve("_SUCCESS"));
    assertTrue(listing.contains("\"path\":\"a.txt\"") && listing.contains("\"bytes\":3"), listing);

    AtomicOutput replacing = write(AtomicOutput.begin(conf, spec(out, true)), "a.txt", "new!");
    write(replacing, "sub/b.txt", "b");
    // while the new output is written the old one is whole, and no second job may write it
    assertEquals("old", Files.readString(out.resolve("a.txt")));
    OutputListing.verify(fs(), hadoop(out), "output");
    UserError locked = assertThrows(UserError.class, () -> AtomicOutput.begin(conf, spec(out, true)));
    assertTrue(locked.getMessage().contains("is being written by another job")
        && locked.getMessage().contains(".out.lock"), locked.getMessage());
    replacing.commit();
    assertEquals("new!", Files.readString(out.resolve("a.txt")));
    assertEquals("b", Files.readString(out.resolve("sub/b.txt")));
    assertEquals(List.of("out"), siblings(), "no temp, previous or lock folder left");
  }

  @Test
  void existingOutputsAreRefusedUnlessOverwriteAndAnAbortReleasesTheLock() throws Exception {
    Path out = tmp.resolve("out");
    write(AtomicOutput.begin(conf, spec(out, false)), "a.txt", "1").commit();
    UserError exists = assertThrows(UserError.class, () -> AtomicOutput.begin(conf, spec(out, false)));
    assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    AtomicOutput failed = write(AtomicOutput.begin(conf, spec(out, true)), "a.txt", "2");
    failed.abort();
    assertEquals("1", Files.readString(out.resolve("a.txt")));
    assertEquals(List.of("out"), siblings());
    write(AtomicOutput.begin(conf, spec(out, true)), "a.txt", "3").commit();
    assertEquals("3", Files.readString(out.resolve("a.txt")));
  }

  @Test
  void theNextRunCleansWhatAKilledRunLeftAndRestoresAnOutputItHadMovedAside() throws Exception {
    Path out = tmp.resolve("out");
    write(AtomicOutput.begin(conf, spec(out, false)), "a.txt", "old").commit();
    // a run killed mid-commit: it had moved the old output aside, left its temp folder and its lock (a dead process)
    Files.move(out, tmp.resolve(".out.previous-1234"));
    Files.createDirectories(tmp.resolve(".out.inprogress-5678/sub"));
    Files.writeString(tmp.resolve(".out.inprogress-5678/sub/part"), "half");
    Files.writeString(tmp.resolve(".out.lock"), deadOwner());

    AtomicOutput next = AtomicOutput.begin(conf, spec(out, true));
    assertEquals("old", Files.readString(out.resolve("a.txt")), "the previous output is back");
    assertEquals(List.of(".out.inprogress-" + next.temp().getName().substring(".out.inprogress-".length()),
        ".out.lock", "out"), siblings());
    next.abort();
    assertEquals(List.of("out"), siblings());

    // an output moved aside whose replacement is complete is simply removed
    Files.createDirectories(tmp.resolve(".out.previous-9"));
    Files.writeString(tmp.resolve(".out.previous-9/a.txt"), "older");
    write(AtomicOutput.begin(conf, spec(out, true)), "a.txt", "newer").commit();
    assertEquals("newer", Files.readString(out.resolve("a.txt")));
    assertEquals(List.of("out"), siblings());
  }

  @Test
  void aLockIsTakenOverOnlyWhenItsOwnerIsGoneOrSilentPastTheStaleTime() throws Exception {
    Path out = tmp.resolve("out");
    Path lock = tmp.resolve(".out.lock");
    // live: this JVM, renewed just now
    AtomicOutput holder = AtomicOutput.begin(conf, spec(out, false));
    assertThrows(UserError.class, () -> AtomicOutput.begin(conf, spec(out, false)));
    String held = Files.readString(lock);
    assertTrue(held.contains("\"pid\":" + ProcessHandle.current().pid()), held);
    holder.abort();
    assertFalse(Files.exists(lock));

    // another host's lock (its process cannot be checked), unreadable, renewed 5 s ago: live until the stale time
    Files.writeString(lock, "{\"user\":\"etl\",\"host\":\"worker-7\",\"pid\":1,\"started\":\"then\"}");
    UserError live = assertThrows(UserError.class, () -> AtomicOutput.begin(conf, spec(out, false)));
    assertTrue(live.getMessage().contains("etl@worker-7 pid 1"), live.getMessage());
    Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 5_000));
    Configuration quick = new Configuration(conf);
    quick.setLong(OutputLock.STALE_KEY, 3);
    AtomicOutput taken = AtomicOutput.begin(quick, spec(out, false));
    taken.abort();

    // this host, process gone: stale at once
    Files.writeString(lock, deadOwner());
    AtomicOutput.begin(conf, spec(out, false)).abort();
    assertFalse(Files.exists(lock));
  }

  @Test
  void aHolderRenewsItsLock() throws Exception {
    Path out = tmp.resolve("out");
    Configuration quick = new Configuration(conf);
    quick.setLong(OutputLock.STALE_KEY, 2); // heartbeat every second
    AtomicOutput holder = AtomicOutput.begin(quick, spec(out, false));
    Path lock = tmp.resolve(".out.lock");
    long first = Files.getLastModifiedTime(lock).toMillis();
    Thread.sleep(3_500);
    assertTrue(Files.getLastModifiedTime(lock).toMillis() > first, "the lock was not renewed");
    // renewed, so a second job with the same stale time still finds it live
    assertThrows(UserError.class, () -> AtomicOutput.begin(quick, spec(out, false)));
    holder.abort();
  }

  @Test
  void filesMovedOneByOneAsOnS3EndWithTheListing() throws Exception {
    Configuration s3like = new Configuration(conf);
    s3like.setBoolean(AtomicOutput.MOVE_FILES_KEY, true);
    Path out = tmp.resolve("out");
    write(AtomicOutput.begin(s3like, spec(out, false)), "a.txt", "1").commit();
    AtomicOutput replacing = write(AtomicOutput.begin(s3like, spec(out, true)), "x/y/z.txt", "deep");
    write(replacing, "a.txt", "2");
    replacing.commit();
    assertEquals("2", Files.readString(out.resolve("a.txt")));
    assertEquals("deep", Files.readString(out.resolve("x/y/z.txt")));
    OutputListing.verify(fs(), hadoop(out), "output");
    assertEquals(List.of("out"), siblings());
  }

  @Test
  void readersRefuseAFolderThatDoesNotMatchItsListing() throws Exception {
    Path out = tmp.resolve("out");
    AtomicOutput output = write(AtomicOutput.begin(conf, spec(out, false)), "a.txt", "abc");
    write(output, "big/part-0", "x".repeat(1000));
    output.commit();

    Files.writeString(out.resolve("a.txt"), "abd"); // same size, other content
    assertMessage("is damaged: a.txt", out);
    Files.writeString(out.resolve("a.txt"), "abcd");
    assertMessage("is damaged: a.txt has 4 bytes, its _SUCCESS lists 3", out);
    Files.delete(out.resolve("big/part-0"));
    Files.writeString(out.resolve("a.txt"), "abc");
    assertMessage("is incomplete: big/part-0, listed in its _SUCCESS, is missing", out);
    Files.delete(out.resolve("_SUCCESS"));
    assertMessage("is incomplete: it has no _SUCCESS", out);
    Files.writeString(out.resolve("_SUCCESS"), "{not json");
    assertMessage("has an unreadable _SUCCESS listing", out);
    Files.writeString(out.resolve("_SUCCESS"), ""); // written before listings: accepted
    OutputListing.verify(fs(), hadoop(out), "data");
  }

  private void assertMessage(String expected, Path dir) {
    UserError e = assertThrows(UserError.class, () -> OutputListing.verify(fs(), hadoop(dir), "data"));
    assertTrue(e.getMessage().startsWith("data " + hadoop(dir)) && e.getMessage().contains(expected),
        e.getMessage());
  }

  /** A lock of this host whose process has ended. */
  private static String deadOwner() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return "{\"user\":\"etl\",\"host\":\"" + java.net.InetAddress.getLocalHost().getHostName() + "\",\"pid\":"
        + p.pid() + ",\"token\":\"t\",\"started\":\"then\"}";
  }

  private AtomicOutput write(AtomicOutput output, String name, String text) throws IOException {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(output.temp(), name);
    try (var stream = fs().create(file, true)) {
      stream.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return output;
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
    }
  }

  private FileSystem fs() {
    try {
      return FileSystem.getLocal(conf);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static org.apache.hadoop.fs.Path hadoop(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }

  private static OutputSpec spec(Path out, boolean overwrite) {
    return new OutputSpec(out.toUri().toString(), overwrite);
  }
}
