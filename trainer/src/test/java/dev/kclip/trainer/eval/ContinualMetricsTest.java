package dev.kclip.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** In-domain accuracy, backward and forward transfer on an accuracy matrix made by hand. */
class ContinualMetricsTest {

    /** A cell among 4 classes (chance 0.25). */
    private static BucketAccuracy cell(double top1) {
        return new BucketAccuracy(10, 4, top1, top1);
    }

    private static AccuracyMatrix.Row row(long step, String newest, Map<String, Long> trained, Object... cells) {
        Map<String, BucketAccuracy> m = new LinkedHashMap<>();
        for (int i = 0; i < cells.length; i += 2) {
            m.put((String) cells[i], cell((Double) cells[i + 1]));
        }
        return new AccuracyMatrix.Row(step, newest, trained, m);
    }

    /**
     * Buckets A, B, C; five checkpoints:
     * <pre>
     *  row  newest  trained     A     B     C
     *   0   A       A           0.50  0.30  -       B held out already, not trained: future
     *   1   A       A           0.60  0.35  -       end of A (A's diagonal = 0.60); B's "before" = 0.35
     *   2   B       A B         0.40  0.70  0.20    C future
     *   3   B       A B         0.45  0.80  0.40    end of B (0.80); C's "before" = 0.40
     *   4   C       A B C       0.30  0.50  0.90    end of C (0.90), the last checkpoint
     * </pre>
     * in-domain = (0.60 + 0.80 + 0.90) / 3; backward transfer = ((0.30 − 0.60) + (0.50 − 0.80)) / 2 = −0.30 (C is
     * learnt at the last checkpoint: no later accuracy to compare); forward transfer = ((0.35 − 0.25) + (0.40 −
     * 0.25)) / 2 = 0.125, forward accuracy (0.35 + 0.40) / 2. A naive diagonal (row j = bucket j) would give A 0.50,
     * B 0.70, C 0.45; the first "future" entry instead of the last would give B 0.30, C 0.20.
     */
    private static AccuracyMatrix handMade() {
        return new AccuracyMatrix("field category", List.of("A", "B", "C"), List.of(
                row(10, "A", Map.of("A", 30L), "A", 0.50, "B", 0.30),
                row(20, "A", Map.of("A", 60L), "A", 0.60, "B", 0.35),
                row(30, "B", ordered("A", 60L, "B", 20L), "A", 0.40, "B", 0.70, "C", 0.20),
                row(40, "B", ordered("A", 60L, "B", 50L), "A", 0.45, "B", 0.80, "C", 0.40),
                row(50, "C", ordered("A", 60L, "B", 50L, "C", 40L), "A", 0.30, "B", 0.50, "C", 0.90)));
    }

    private static Map<String, Long> ordered(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Long) kv[i + 1]);
        }
        return m;
    }

    @Test
    void theThreeFiguresFollowTheirDefinitions() {
        ContinualMetrics c = ContinualMetrics.of(handMade());
        assertEquals((0.60 + 0.80 + 0.90) / 3, c.inDomain(), 1e-12);
        assertEquals(-0.30, c.backwardTransfer(), 1e-12);
        assertEquals(0.30, c.forgetting(), 1e-12);
        assertEquals(0.125, c.forwardTransfer(), 1e-12);
        assertEquals(0.375, c.forwardAccuracy(), 1e-12);
        assertEquals(3, c.learnt());
        assertEquals(2, c.compared());
        assertEquals(2, c.ahead());
    }

    @Test
    void aBucketWithoutHeldOutPairsAtItsEndOrBeforeItIsLeftOutNotCountedAsZero() {
        AccuracyMatrix m = handMade();
        // B had no held-out pair at the checkpoint that ended it (row 3): no diagonal for B, no backward term for B
        List<AccuracyMatrix.Row> rows = new java.util.ArrayList<>(m.rows());
        AccuracyMatrix.Row end = rows.get(3);
        Map<String, BucketAccuracy> cells = new LinkedHashMap<>(end.cells());
        cells.remove("B");
        rows.set(3, new AccuracyMatrix.Row(end.step(), end.newest(), end.trained(), cells));
        ContinualMetrics c = ContinualMetrics.of(new AccuracyMatrix(m.bucketing(), m.buckets(), rows));
        assertEquals((0.60 + 0.90) / 2, c.inDomain(), 1e-12);
        assertEquals(0.30 - 0.60, c.backwardTransfer(), 1e-12);
        assertEquals(0.125, c.forwardTransfer(), 1e-12, "B's before-entry is row 1, C's row 3: unchanged");
    }

    @Test
    void oneCheckpointHasNoTransferAndAnEmptyMatrixNothing() {
        AccuracyMatrix one = new AccuracyMatrix("every 10 examples", List.of("t0"),
                List.of(row(5, "t0", Map.of("t0", 10L), "t0", 0.4)));
        ContinualMetrics c = ContinualMetrics.of(one);
        assertEquals(0.4, c.inDomain(), 1e-12);
        assertNull(c.backwardTransfer(), "nothing learnt before the last checkpoint");
        assertNull(c.forwardTransfer(), "no bucket was evaluated before its training");
        ContinualMetrics none = ContinualMetrics.of(AccuracyMatrix.empty("none"));
        assertNull(none.inDomain());
        assertTrue(ContinualFigures.line(c).startsWith("in-domain 40.0% (1 buckets), backward transfer n/a"),
                ContinualFigures.line(c));
    }

    @Test
    void theLineSaysTheFiguresInPercentAndPoints() {
        assertEquals("in-domain 76.7% (3 buckets), backward transfer -30.0 points (forgetting 30.0; 2 buckets), "
                + "forward transfer +12.5 points over chance (accuracy 37.5%; 2 buckets)",
                ContinualFigures.line(ContinualMetrics.of(handMade())));
    }
}
