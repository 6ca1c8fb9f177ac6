package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds small application jars for {@code spark-submit} in tests. */
public final class Jars {

  private Jars() {}

  /** Writes a jar holding the given classes (and their nested classes), with {@code main} as Main-Class. */
  public static Path of(Path jar, Class<?> main, Class<?>... more) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
    try {
      Files.createDirectories(jar.getParent());
      try (OutputStream file = Files.newOutputStream(jar);
           JarOutputStream out = new JarOutputStream(file, manifest)) {
        add(out, main);
        for (Class<?> type : more) {
          add(out, type);
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + jar, e);
    }
  }

  private static void add(JarOutputStream out, Class<?> type) throws IOException {
    Path classFile = classFile(type);
    Path dir = classFile.getParent();
    String simple = classFile.getFileName().toString().replace(".class", "");
    try (var files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.equals(simple + ".class") || name.startsWith(simple + "$")) {
          out.putNextEntry(new JarEntry(type.getPackageName().replace('.', '/') + "/" + name));
          try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
    }
  }

  private static Path classFile(Class<?> type) {
    try {
      String resource = type.getName().replace('.', '/') + ".class";
      return Path.of(type.getClassLoader().getResource(resource).toURI());
    } catch (Exception e) {
      throw new IllegalArgumentException(type + " is not loaded from a classes directory", e);
    }
  }
}
