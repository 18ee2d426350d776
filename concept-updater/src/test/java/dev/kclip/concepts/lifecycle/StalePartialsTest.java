package dev.kclip.concepts.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.state.ConceptSum;
import java.util.List;
import org.junit.jupiter.api.Test;

class StalePartialsTest {

    /** A partial over K=3 with 2, 3 and 4 records in rows 0, 1 and 2. */
    private static BatchStatistics partial() {
        BatchStatistics batch = new BatchStatistics(3, 2);
        for (int row = 0; row < 3; row++) {
            for (int i = 0; i < row + 2; i++) {
                batch.add(row, new float[] {row, 1}, 100 + i);
            }
        }
        return batch;
    }

    @Test
    void rowsWhoseConceptChangedSinceThePartialsVersionAreDroppedAndCounted() {
        // row 1 got a new concept at version 5; the partial was labelled with version 3; the model is at 6 and K=4
        StalePartials.Admitted admitted = StalePartials.admit(partial().toState(), 3, 6, new long[] {1, 5, 1, 6});
        assertEquals(3, admitted.droppedRecords());
        BatchStatistics kept = BatchStatistics.fromState(admitted.batch());
        assertEquals(4, kept.k(), "widened to the current K");
        assertEquals(6, kept.records());
        assertEquals(2, kept.count(0));
        assertEquals(0, kept.count(1));
        assertEquals(4, kept.count(2));
        assertEquals(8.0, kept.sum(2, 0), 1e-12);
        assertEquals(List.of(0, 2), admitted.batch().getConcepts().stream().map(ConceptSum::getConcept).toList());
    }

    @Test
    void aPartialOfTheCurrentLayoutIsKeptWholeAndOneFromTheFutureIsDropped() {
        assertEquals(0, StalePartials.admit(partial().toState(), 6, 6, new long[] {1, 5, 1}).droppedRecords());
        assertEquals(9, StalePartials.admit(partial().toState(), 7, 6, new long[] {1, 5, 1}).droppedRecords());
    }
}
