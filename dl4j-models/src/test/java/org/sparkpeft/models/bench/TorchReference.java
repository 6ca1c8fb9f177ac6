package org.sparkpeft.models.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.sparkpeft.models.nativebuild.IdleThreadSettings;
import org.sparkpeft.models.nativebuild.MallocSettings;

/**
 * The PyTorch side of a bench, in this invocation: {@code bench/pytorch_minilm.py} run by Debian's python3 with
 * python3-torch, as a server that takes one JSON command per line (see the script). Only one side computes at a
 * time (the other waits on a pipe), so the two never share the CPU.
 */
final class TorchReference implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  private TorchReference(Process process) {
    this.process = process;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts the reference on {@code weights} with {@code threads} intra-op threads, or returns null (and says why)
   * when disabled with {@code -Dsparkpeft.bench.torch=false}.
   */
  static TorchReference start(Path weights, int threads) throws IOException {
    if (!Boolean.parseBoolean(System.getProperty("sparkpeft.bench.torch", "true"))) {
      System.out.println("PyTorch reference: off (-Dsparkpeft.bench.torch=false); no ratio is shown");
      return null;
    }
    Path script = Path.of(System.getProperty("sparkpeft.home", ".")).resolve("bench/pytorch_minilm.py");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("the PyTorch reference script " + script + " is missing; run the bench "
          + "with bin/sparkpeft or -Dsparkpeft.home=<repository>");
    }
    String python = System.getProperty("sparkpeft.bench.python", "/usr/bin/python3");
    ProcessBuilder builder = new ProcessBuilder(python, script.toString(), weights.toString(),
        Integer.toString(threads));
    builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
    // the OpenBLAS and OpenMP under PyTorch get the idle-thread settings the DL4J side runs with (IdleThreadSettings
    // sets them in this process's C environment, which ProcessBuilder does not see): both sides measured alike;
    // -Dsparkpeft.bench.torch.idle=default leaves PyTorch's environment as the user's shell has it
    if (sharesIdleSettings()) {
      IdleThreadSettings.DEFAULTS.forEach(builder.environment()::putIfAbsent);
    }
    // glibc's allocator settings bin/sparkpeft gives its JVMs (MallocSettings) are not PyTorch's: with a 128 KiB
    // mmap threshold every tensor above it is a fresh mapping whose pages fault in anew on every op (measured: a step
    // 4-5x slower on a VM where a first touch costs ~10 us per page), so the reference runs with glibc's defaults
    MallocSettings.ENVIRONMENT.keySet().forEach(builder.environment()::remove);
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    return new TorchReference(builder.start());
  }

  /**
   * Whether the PyTorch child runs with sparkpeft's idle-thread settings (the default), not with the environment as
   * the shell has it ({@code -Dsparkpeft.bench.torch.idle=default}).
   */
  static boolean sharesIdleSettings() {
    return !"default".equals(System.getProperty("sparkpeft.bench.torch.idle"));
  }

  /** Sends one command and returns its answer. */
  JsonNode call(Map<String, Object> command) throws IOException {
    in.write(JSON.writeValueAsString(command) + "\n");
    in.flush();
    String line = out.readLine();
    if (line == null) {
      throw new IOException("the PyTorch reference exited (code " + waitFor() + "); see its messages above");
    }
    JsonNode answer = JSON.readTree(line);
    if (answer.has("error")) {
      throw new IOException("the PyTorch reference refused " + command + ": " + answer.get("error").asText());
    }
    return answer;
  }

  /**
   * The BLAS line of the header, from the reference's first setup answer: both sides' library and kernels, since a
   * PyTorch on a reference (netlib) BLAS, or kernels forced by OPENBLAS_CORETYPE, change what the ratio means.
   */
  static String blasLine(JsonNode setup) {
    return "BLAS: ND4J " + Machine.nd4jBlas() + "; PyTorch " + (setup == null || !setup.has("blas")
        ? "not running" : setup.get("blas").asText());
  }

  JsonNode setup(int seq, Path tokens) throws IOException {
    return call(Map.of("cmd", "setup", "seq", seq, "tokens", tokens.toString()));
  }

  double train(int seq, int steps) throws IOException {
    return call(Map.of("cmd", "train", "seq", seq, "steps", steps)).get("examples_per_sec").asDouble();
  }

  double infer(int seq, int iterations) throws IOException {
    return call(Map.of("cmd", "infer", "seq", seq, "iters", iterations)).get("examples_per_sec").asDouble();
  }

  /** fp32 GEMM rate over {@code shapes} ([m, k, n] each). */
  double gemm(List<long[]> shapes, int reps) throws IOException {
    return call(Map.of("cmd", "gemm", "shapes", shapes, "reps", reps)).get("gflops").asDouble();
  }

  /** Class probabilities of the first forward pass (inference mode), [rows][classes]. */
  double[][] probabilities(int seq) throws IOException {
    JsonNode rows = call(Map.of("cmd", "logits", "seq", seq)).get("probs");
    double[][] p = new double[rows.size()][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new double[rows.get(i).size()];
      for (int j = 0; j < p[i].length; j++) {
        p[i][j] = rows.get(i).get(j).asDouble();
      }
    }
    return p;
  }

  /** ms per training step by op class, plus "step_ms". */
  JsonNode profile(int seq, int steps) throws IOException {
    return call(Map.of("cmd", "profile", "seq", seq, "steps", steps));
  }

  private int waitFor() {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      call(Map.of("cmd", "quit"));
    } catch (IOException expected) {
      // quit answers nothing: the script ends
    }
    process.destroy();
  }
}
