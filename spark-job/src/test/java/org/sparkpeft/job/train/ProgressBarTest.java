package org.sparkpeft.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void oneLineWithBarRoundEpochLossSpeedAndEta() {
    assertEquals("[##........] round 7/40 · epoch 2 · loss 0.113 · 12.1 ex/s · ETA 3m10s",
        ProgressBar.line(new AdapterTrainer.RoundInfo(7, 40, 1, 0.1134, 12.08, 1000, 190.2)));
    assertEquals("[##########] round 40/40 · epoch 3 · loss 0.010 · 9.0 ex/s · ETA 0s",
        ProgressBar.line(new AdapterTrainer.RoundInfo(40, 40, 2, 0.01, 9, 1000, 0)));
    assertEquals("1h05m", ProgressBar.duration(3900));
  }

  @Test
  void redrawsInPlaceAndClears() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    bar.accept(new AdapterTrainer.RoundInfo(1, 4, 0, 0.5, 10, 0, 30));
    bar.clear();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("\r[###.......] round 1/4"), out);
    assertTrue(out.endsWith("\r"), "cleared: " + out);
    assertFalse(out.contains("\n"), "one line, no newline: " + out);
  }
}
