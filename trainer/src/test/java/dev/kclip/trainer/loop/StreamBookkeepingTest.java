package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.model.RowRemap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The offsets a checkpoint may record, and how the classifier follows the concept updater. */
class StreamBookkeepingTest {

    private static TrainingExample at(int partition, long offset) {
        return new TrainingExample("p" + partition + "-" + offset, "c", new byte[0], null, new float[1], "t",
                new float[] {1}, 1, new long[0], new TrainingExample.Source("examples", partition, offset));
    }

    @Test
    void safeOffsetsStopAtTheOldestExampleNotYetTrained() {
        PendingExamples pending = new PendingExamples(Map.of("examples-0", 10L));
        pending.add(at(0, 10), 0);
        pending.add(at(1, 0), 0);
        pending.resolved("examples", 0, 11); // a dead letter after a waiting example
        pending.add(at(0, 12), 0);
        assertEquals(Map.of("examples-0", 10L, "examples-1", 0L), pending.safeOffsets());
        List<TrainingExample> batch = pending.take(2);
        assertEquals(List.of("p0-10", "p1-0"), batch.stream().map(TrainingExample::id).toList());
        // offset 11 was resolved, 12 still waits
        assertEquals(Map.of("examples-0", 12L, "examples-1", 1L), pending.safeOffsets());
        pending.take(1);
        assertEquals(Map.of("examples-0", 13L, "examples-1", 1L), pending.safeOffsets());
        assertEquals(0, pending.size());
    }

    @Test
    void untouchedPartitionsKeepTheirStartingOffsets() {
        PendingExamples pending = new PendingExamples(Map.of("examples-0", 5L, "examples-2", 7L));
        pending.resolved("examples", 0, 5);
        assertEquals(Map.of("examples-0", 6L, "examples-2", 7L), pending.safeOffsets());
    }

    @Test
    void theOldestWaitIsMeasuredFromTheOldestWaitingExample() {
        PendingExamples pending = new PendingExamples(Map.of());
        pending.add(at(0, 0), 100);
        pending.add(at(0, 1), 500);
        assertEquals(900, pending.oldestWaitNanos(1000));
        pending.take(1);
        assertEquals(500, pending.oldestWaitNanos(1000));
    }

    @Test
    void theClassifierFollowsGrowingAndShrinkingKAndChangedConceptIds() {
        ConceptTracker tracker = new ConceptTracker(4, 10, new long[] {100, 101, 102, 103});
        assertTrue(tracker.advance(4, 9, new long[] {7, 7, 7, 7}).isEmpty(), "older labels never move it back");
        assertTrue(tracker.advance(4, 12, new long[] {100, 101, 102, 103}).isEmpty(), "same ids: rows stay");
        assertEquals(12, tracker.version());
        assertEquals(new RowRemap(new int[] {0, -1, 2, 3, -1, -1}),
                tracker.advance(6, 13, new long[] {100, 200, 102, 103, 201, 202}).orElseThrow(),
                "index 1 names a new concept: its row starts fresh, as do the two new ones");
        assertEquals(new RowRemap(new int[] {0, 1, 2}), tracker.advance(3, 14, new long[] {100, 200, 102}).orElseThrow());
        assertEquals(3, tracker.concepts());
        assertArrayEquals(new long[] {100, 200, 102}, tracker.ids());
    }

    /**
     * The concept updater's life cycle: a retired concept leaves a free row (id -1, probability 0), a birth takes the
     * free row first and then grows K; the classifier resets exactly the rows whose concept changed.
     */
    @Test
    void theClassifierFollowsRetirementsAndBirths() {
        ConceptTracker tracker = new ConceptTracker(3, 1, new long[] {0, 1, 2});
        assertEquals(new RowRemap(new int[] {0, -1, 2}), tracker.advance(3, 2, new long[] {0, -1, 2}).orElseThrow(),
                "concept 1 retired: its row is free");
        assertEquals(new RowRemap(new int[] {0, -1, 2, -1}),
                tracker.advance(4, 3, new long[] {0, 5, 2, 6}).orElseThrow(),
                "concept 5 born into the free row, concept 6 into a new one");
        assertTrue(tracker.advance(4, 4, new long[] {0, 5, 2, 6}).isEmpty(), "no change, rows stay");
        assertArrayEquals(new long[] {0, 5, 2, 6}, tracker.ids());
    }

    @Test
    void labelsWithoutIdsNameTheirIndices() {
        ConceptTracker tracker = new ConceptTracker(4, 10, null);
        assertArrayEquals(new long[] {0, 1, 2, 3}, tracker.ids());
        assertTrue(tracker.advance(4, 11, new long[0]).isEmpty(), "same K, no ids: rows stay, as before the ids");
        assertEquals(new RowRemap(new int[] {0, 1, 2, 3, -1}), tracker.advance(5, 12, new long[0]).orElseThrow());
        assertEquals(new RowRemap(new int[] {0, 1}), tracker.advance(2, 13, new long[0]).orElseThrow());
        assertEquals(13, tracker.version());
    }
}
