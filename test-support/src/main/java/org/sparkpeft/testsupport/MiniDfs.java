package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS (namenode + one datanode, in this JVM) on 127.0.0.1 for hdfs:// tests. Other JVMs (Spark
 * executors of a standalone cluster) reach it over RPC like any HDFS.
 */
public final class MiniDfs implements AutoCloseable {

  private final MiniDFSCluster cluster;

  private MiniDfs(MiniDFSCluster cluster) {
    this.cluster = cluster;
  }

  public static MiniDfs start(Path baseDir) {
    Configuration conf = new Configuration();
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.setBoolean("dfs.permissions.enabled", false);
    try {
      MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, baseDir.toFile())
          .numDataNodes(1)
          .nameNodeHttpPort(0)
          .build();
      cluster.waitActive();
      return new MiniDfs(cluster);
    } catch (IOException e) {
      throw new UncheckedIOException("MiniDFS did not start under " + baseDir, e);
    }
  }

  /** hdfs://127.0.0.1:port */
  public URI uri() {
    return URI.create("hdfs://127.0.0.1:" + cluster.getNameNodePort());
  }

  /** A fully qualified hdfs:// URL for an absolute path such as "/data/in". */
  public String url(String absolutePath) {
    if (!absolutePath.startsWith("/")) {
      throw new IllegalArgumentException("expected an absolute path, got " + absolutePath);
    }
    return uri() + absolutePath;
  }

  /** A client configuration whose default file system is this HDFS. */
  public Configuration conf() {
    Configuration conf = new Configuration(cluster.getConfiguration(0));
    conf.set("fs.defaultFS", uri().toString());
    return conf;
  }

  @Override
  public void close() {
    cluster.shutdown(true);
  }
}
