package dev.kclip.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kclip.common.metrics.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FailureWindowTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final FailureWindow window = new FailureWindow("thread replacements",
            new FailureWindow.Policy(3, Duration.ofMinutes(5)), clock);
    private final Health running = Health.up("streams RUNNING");

    @Test
    void upWithoutFailuresDegradedAfterTheFirstDownAfterTheThirdInTheWindow() {
        assertSame(running, window.apply(running));

        window.failed("RecordTooLargeException");
        Health one = window.apply(running);
        assertEquals(Health.Status.DEGRADED, one.status());
        assertEquals("streams RUNNING; 1 thread replacements in the last 5 min, last: RecordTooLargeException",
                one.detail());

        clock.now = clock.now.plusSeconds(60);
        window.failed("TimeoutException");
        assertEquals(Health.Status.DEGRADED, window.apply(running).status());
        window.failed("TimeoutException");
        Health three = window.apply(running);
        assertEquals(Health.Status.DOWN, three.status());
        assertEquals("streams RUNNING; 3 thread replacements in the last 5 min (DOWN from 3), last: TimeoutException",
                three.detail());
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        window.failed("a");
        clock.now = clock.now.plusSeconds(200);
        window.failed(2, "b");
        assertEquals(Health.Status.DOWN, window.apply(running).status());

        clock.now = clock.now.plusSeconds(101);   // the first is 301 s old
        assertEquals(2, window.recent());
        assertEquals(Health.Status.DEGRADED, window.apply(running).status());

        clock.now = clock.now.plusSeconds(300);
        assertSame(running, window.apply(running));
    }

    @Test
    void aSuccessForgetsFailuresThatCountOnlyInARow() {
        window.failed(2, "aborted");
        window.succeeded();
        window.failed("aborted");
        assertEquals(1, window.recent());
        assertEquals(Health.Status.DEGRADED, window.apply(running).status());
    }

    @Test
    void aStageThatIsDownStaysDownWhateverItsFailureCount() {
        Health down = Health.down("streams ERROR");
        window.failed("x");
        assertEquals(Health.Status.DOWN, window.apply(down).status());
    }

    @Test
    void policiesMustBeAbleToTurnDown() {
        assertThrows(IllegalArgumentException.class, () -> new FailureWindow.Policy(0, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> new FailureWindow.Policy(3, Duration.ZERO));
    }
}
