package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;

/**
 * An S3-compatible server on 127.0.0.1 for s3a:// tests: s3proxy with its in-memory ("transient") backend,
 * in its own JVM because its guava and jackson clash with Spark's. Requests are signed (AWS v2/v4) with a
 * test key pair, so s3a talks to it exactly as to S3.
 */
public final class S3Server implements AutoCloseable {

  public static final String ACCESS_KEY = "sparkpeft-test-access";
  public static final String SECRET_KEY = "sparkpeft-test-secret";

  private final JavaProcess process;
  private final int port;

  private S3Server(JavaProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  public static S3Server start(Path workDir) {
    int port = FreePorts.next();
    Properties props = new Properties();
    props.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    props.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    props.setProperty("s3proxy.identity", ACCESS_KEY);
    props.setProperty("s3proxy.credential", SECRET_KEY);
    props.setProperty("jclouds.provider", "transient");
    props.setProperty("jclouds.identity", ACCESS_KEY);
    props.setProperty("jclouds.credential", SECRET_KEY);
    try {
      Files.createDirectories(workDir);
      Path file = workDir.resolve("s3proxy.properties");
      try (var out = Files.newOutputStream(file)) {
        props.store(out, "s3proxy for sparkpeft tests");
      }
      JavaProcess process = JavaProcess.builder("s3proxy", s3proxyJar().toString())
          .jvmArgs("-Xmx512m")
          .args("--properties", file.toString())
          .logDir(workDir)
          .start();
      try {
        FreePorts.awaitListening(port, Duration.ofSeconds(60), process);
      } catch (RuntimeException e) {
        process.close();
        throw e;
      }
      return new S3Server(process, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Creates a bucket (s3a does not create buckets). */
  public void createBucket(String bucket) {
    AmazonS3 client = AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(endpoint(), "us-east-1"))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(ACCESS_KEY, SECRET_KEY)))
        .build();
    try {
      client.createBucket(bucket);
    } finally {
      client.shutdown();
    }
  }

  /** The fs.s3a.* settings that point s3a at this server. */
  public Map<String, String> hadoopConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("fs.s3a.endpoint", endpoint());
    conf.put("fs.s3a.endpoint.region", "us-east-1");
    conf.put("fs.s3a.path.style.access", "true");
    conf.put("fs.s3a.connection.ssl.enabled", "false");
    conf.put("fs.s3a.access.key", ACCESS_KEY);
    conf.put("fs.s3a.secret.key", SECRET_KEY);
    conf.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.put("fs.s3a.directory.marker.retention", "keep");
    conf.put("fs.s3a.change.detection.mode", "none");
    conf.put("fs.s3a.attempts.maximum", "3");
    conf.put("fs.s3a.retry.limit", "3");
    return conf;
  }

  /** The same settings as spark.hadoop.* keys, for SparkConf or spark-submit --conf. */
  public Map<String, String> sparkConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    hadoopConf().forEach((key, value) -> conf.put("spark.hadoop." + key, value));
    return conf;
  }

  public String logText() {
    return process.logText();
  }

  @Override
  public void close() {
    process.close();
  }

  private static Path s3proxyJar() {
    Properties props = new Properties();
    try (InputStream in = S3Server.class.getResourceAsStream("/sparkpeft-test-support.properties")) {
      if (in == null) {
        throw new IllegalStateException("sparkpeft-test-support.properties is missing from the classpath");
      }
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path jar = Path.of(props.getProperty("s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("s3proxy jar not found at " + jar + "; build test-support with Maven first");
    }
    return jar;
  }
}
