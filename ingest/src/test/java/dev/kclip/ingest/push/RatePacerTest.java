package dev.kclip.ingest.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RatePacerTest {

    @Test
    void pacerSpacesSendsToTheRate() {
        RatePacer tenPerSecond = new RatePacer(10);
        assertEquals(0, tenPerSecond.waitNanos(0, 0));
        assertEquals(500_000_000L, tenPerSecond.waitNanos(5, 0));
        assertEquals(100_000_000L, tenPerSecond.waitNanos(5, 400_000_000L));
        assertEquals(0, tenPerSecond.waitNanos(5, 900_000_000L), "behind schedule: no wait");
        assertEquals(0, new RatePacer(0).waitNanos(1_000_000, 0), "0 = unlimited");
    }
}
