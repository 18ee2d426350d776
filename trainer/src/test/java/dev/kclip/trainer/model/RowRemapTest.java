package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which classifier rows survive a change of concepts, and the copy of the surviving ones. */
class RowRemapTest {

    @Test
    void rowsOfConceptsInBothKeepTheirPlaceExceptChangedOnes() {
        assertEquals(new RowRemap(new int[] {0, -1, 2, -1, -1}), RowRemap.forConcepts(3, 5, Set.of(1)));
        assertEquals(new RowRemap(new int[] {0, 1}), RowRemap.forConcepts(4, 2, Set.of()));
        assertEquals(new RowRemap(new int[] {-1, 1}), RowRemap.forConcepts(4, 2, Set.of(0, 3)),
                "a change beyond the new K does not matter");
    }

    @Test
    void identityOnlyWhenEveryRowStaysAndTheCountIsTheSame() {
        assertTrue(RowRemap.forConcepts(3, 3, Set.of()).identity(3));
        assertFalse(RowRemap.forConcepts(4, 3, Set.of()).identity(4), "dropping a row is a change");
        assertFalse(RowRemap.forConcepts(3, 3, Set.of(2)).identity(3));
    }

    @Test
    void copyRowsMovesKeptRowsAndLeavesFreshOnesAlone() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray from = manager.create(new float[] {1, 1, 2, 2, 3, 3}, new Shape(3, 2));
            NDArray to = manager.create(new float[] {9, 9, 9, 9, 9, 9, 9, 9}, new Shape(4, 2));
            new RowRemap(new int[] {2, -1, 0, -1}).copyRows(from, to);
            assertArrayEquals(new float[] {3, 3, 9, 9, 1, 1, 9, 9}, to.toFloatArray());
        }
    }
}
