package org.sparkpeft.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Loopback ports for harness servers. */
public final class FreePorts {

  private FreePorts() {}

  /** A port on 127.0.0.1 that was free a moment ago. */
  public static int next() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Whether something accepts connections on 127.0.0.1:port. */
  public static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until 127.0.0.1:port accepts connections, or fails after {@code timeout}. */
  public static void awaitListening(int port, Duration timeout, JavaProcess owner) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isListening(port)) {
      if (owner != null && !owner.isAlive()) {
        throw new IllegalStateException(owner.name() + " exited before listening on port " + port
            + "; its log:\n" + owner.logTail(60));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nothing listened on 127.0.0.1:" + port + " within " + timeout
            + (owner == null ? "" : "; log of " + owner.name() + ":\n" + owner.logTail(60)));
      }
      Sleep.millis(200);
    }
  }
}
