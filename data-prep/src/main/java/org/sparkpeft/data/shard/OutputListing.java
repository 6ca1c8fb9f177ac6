package org.sparkpeft.data.shard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpeft.data.UserError;

/**
 * {@code _SUCCESS} of an output folder, written last: the list of the folder's files with their sizes, and the
 * sha256 of each file up to {@value #HASHED_BYTES} bytes. A reader {@link #verify}s it before using the folder: on
 * S3 an output is copied object by object, so a folder can be seen half-copied, and a listing that is missing, or
 * that names a file the folder lacks or has at another size, means the output is not (yet) complete.
 *
 * <p>An empty {@code _SUCCESS} (outputs of sparkpeft before listings, and Spark's own marker) is accepted with a
 * warning: there is nothing to check it against.
 */
public final class OutputListing {

  public static final String NAME = "_SUCCESS";
  static final String FORMAT = "sparkpeft-output-listing-1";
  /** Files up to this size get a sha256 in the listing. */
  static final long HASHED_BYTES = 32L << 20;
  /** Readers check the sha256 of files up to this size (configs, manifests, adapters); sizes for all. */
  static final long VERIFIED_BYTES = 4L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(OutputListing.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** One file of the output, by its path relative to the folder. */
  public record Entry(String path, long bytes, String sha256) {}

  /** The listing as stored. */
  public record Listing(String format, List<Entry> files) {
    public Listing {
      files = List.copyOf(files);
    }
  }

  private OutputListing() {}

  /** Lists every file under {@code dir} (but a {@code _SUCCESS} at its root) and writes the listing as its _SUCCESS. */
  public static Listing write(FileSystem fs, Path dir) throws IOException {
    Path root = fs.makeQualified(dir);
    List<Entry> entries = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      LocatedFileStatus file = files.next();
      String relative = relative(root, file.getPath());
      if (relative.equals(NAME)) {
        continue;
      }
      String sha = file.getLen() <= HASHED_BYTES ? sha256(fs, file.getPath()) : null;
      entries.add(new Entry(relative, file.getLen(), sha));
    }
    entries.sort((a, b) -> a.path().compareTo(b.path()));
    Listing listing = new Listing(FORMAT, entries);
    try (OutputStream out = fs.create(new Path(root, NAME), true)) {
      JSON.writeValue(out, listing);
    }
    return listing;
  }

  /** Whether {@code dir} holds a complete output (see {@link #verify}); false instead of an exception. */
  public static boolean isComplete(FileSystem fs, Path dir) {
    try {
      verify(fs, dir, "output");
      return true;
    } catch (UserError | IOException e) {
      return false;
    }
  }

  /**
   * Checks {@code dir} against its {@code _SUCCESS} listing: every listed file present at its size, and the sha256 of
   * those up to {@value #VERIFIED_BYTES} bytes. A {@link UserError} names the folder ({@code what} says what
   * it is, e.g. "data") and the first problem.
   */
  public static void verify(FileSystem fs, Path dir, String what) throws IOException {
    Path marker = new Path(dir, NAME);
    if (!fs.exists(marker)) {
      throw new UserError(what + " " + dir + " is incomplete: it has no " + NAME + ", so the job that wrote "
          + "it did not finish (or it is still being copied); write it again.");
    }
    byte[] bytes;
    try (InputStream in = fs.open(marker)) {
      bytes = in.readAllBytes();
    } catch (ChecksumException e) {
      throw new UserError(what + " " + dir + " has an unreadable " + NAME + " listing (a file system checksum "
          + "error); write it again.", e);
    }
    if (bytes.length == 0) {
      LOG.warn("{} {} has an empty {} (written before sparkpeft listed its outputs): its files are not checked",
          what, dir, NAME);
      return;
    }
    Listing listing;
    try {
      listing = JSON.readValue(bytes, Listing.class);
    } catch (IOException e) {
      throw new UserError(what + " " + dir + " has an unreadable " + NAME + " listing (" + e.getMessage()
          .split("\n")[0] + "); write it again.", e);
    }
    if (!FORMAT.equals(listing.format()) || listing.files() == null) {
      throw new UserError(what + " " + dir + " has a " + NAME + " of an unknown format (" + listing.format()
          + "); it was written by a newer sparkpeft.");
    }
    for (Entry entry : listing.files()) {
      Path file = new Path(dir, entry.path());
      if (!fs.exists(file)) {
        throw new UserError(what + " " + dir + " is incomplete: " + entry.path() + ", listed in its " + NAME
            + ", is missing (a copy that did not finish?); write it again.");
      }
      long length = fs.getFileStatus(file).getLen();
      if (length != entry.bytes()) {
        throw new UserError(what + " " + dir + " is damaged: " + entry.path() + " has " + length
            + " bytes, its " + NAME + " lists " + entry.bytes() + "; write it again.");
      }
      if (entry.sha256() != null && length <= VERIFIED_BYTES) {
        String actual;
        try {
          actual = sha256(fs, file);
        } catch (ChecksumException e) {
          actual = "a file system checksum error";
        }
        if (!entry.sha256().equals(actual)) {
          throw new UserError(what + " " + dir + " is damaged: " + entry.path() + " does not have the sha256 "
              + "its " + NAME + " lists; write it again.");
        }
      }
    }
  }

  private static String relative(Path root, Path file) {
    String base = root.toUri().getPath();
    String path = file.toUri().getPath();
    if (!path.startsWith(base)) {
      throw new IllegalStateException(file + " is not under " + root);
    }
    String rest = path.substring(base.length());
    return rest.startsWith("/") ? rest.substring(1) : rest;
  }

  static String sha256(FileSystem fs, Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(fs.open(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
