package dev.kclip.teacher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

    private static final long MS = 1_000_000;

    @Test
    void aBatchIsBoundedByPaddedTokensNotTheirSum() {
        MicroBatcher<String> b = new MicroBatcher<>(100, 64, Duration.ofSeconds(10));
        b.add("a", 10, 0);
        b.add("b", 10, 0);
        b.add("c", 40, 0);   // 3 × 40 = 120 > 100 although 10 + 10 + 40 = 60
        b.add("d", 5, 0);
        assertTrue(b.isDue(0), "a full batch is waiting");
        assertEquals(List.of("a", "b"), b.take());
        assertEquals(List.of("c", "d"), b.take(), "2 × 40 = 80 fits");
        assertTrue(b.isEmpty());
    }

    @Test
    void aBatchIsBoundedByCaptionCount() {
        MicroBatcher<Integer> b = new MicroBatcher<>(10_000, 3, Duration.ofSeconds(10));
        for (int i = 0; i < 7; i++) {
            b.add(i, 5, 0);
        }
        assertEquals(List.of(0, 1, 2), b.take());
        assertEquals(List.of(3, 4, 5), b.take());
        assertFalse(b.isDue(0), "one item, not full, not waited long enough");
        assertEquals(List.of(6), b.take());
    }

    @Test
    void anItemLongerThanTheBudgetGoesAlone() {
        MicroBatcher<String> b = new MicroBatcher<>(50, 64, Duration.ofSeconds(10));
        b.add("long", 80, 0);
        b.add("short", 5, 0);
        assertEquals(List.of("long"), b.take());
        assertEquals(List.of("short"), b.take());
    }

    @Test
    void aPartialBatchGoesWhenItsOldestItemHasWaitedMaxWait() {
        MicroBatcher<String> b = new MicroBatcher<>(1000, 64, Duration.ofMillis(50));
        assertEquals(Long.MAX_VALUE, b.nanosUntilDue(0));
        b.add("a", 5, 0);
        b.add("b", 5, 30 * MS);
        assertFalse(b.isDue(49 * MS));
        assertEquals(1 * MS, b.nanosUntilDue(49 * MS));
        assertTrue(b.isDue(50 * MS));
        assertEquals(List.of("a", "b"), b.take());
    }

    @Test
    void rejectedItemsCostNothingAndKeepTheirPlace() {
        MicroBatcher<String> b = new MicroBatcher<>(20, 64, Duration.ofSeconds(10));
        b.add("x", 10, 0);
        b.add("rejected", 0, 0);
        b.add("y", 10, 0);
        b.add("z", 10, 0);
        assertEquals(List.of("x", "rejected", "y"), b.take(), "2 captions × 10 = 20 fit; z would make 3 × 10");
    }

    @Test
    void itemsOfRevokedPartitionsCanBeDropped() {
        MicroBatcher<String> b = new MicroBatcher<>(1000, 64, Duration.ofSeconds(10));
        b.add("p0-a", 5, 0);
        b.add("p1-a", 5, 0);
        b.add("p0-b", 5, 0);
        b.removeIf(s -> s.startsWith("p0"));
        assertEquals(List.of("p1-a"), b.drain());
    }
}
