package dev.kclip.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {

    @Test
    void readsShortFormsAndIso8601() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10s"));
        assertEquals(Duration.ofMinutes(30), DurationConverter.parse(" 30 m "));
        assertEquals(Duration.ofHours(2), DurationConverter.parse("2H"));
        assertEquals(Duration.ofDays(7), DurationConverter.parse("7d"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("PT10S"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("pt1h"));
        assertEquals(Duration.ofDays(2), DurationConverter.parse("P2D"));
    }

    @Test
    void anythingElseIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("ten seconds"));
        assertEquals("not a duration: \"ten seconds\" (use e.g. 500ms, 10s, 15m, 2h, 7d or PT10S)", e.getMessage());
    }
}
