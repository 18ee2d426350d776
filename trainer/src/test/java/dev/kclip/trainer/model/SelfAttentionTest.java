package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The causal mask: a position sees itself and the positions before it, never those after. */
class SelfAttentionTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void theCausalMaskHidesLaterPositionsOnly() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float[] mask = SelfAttention.causalMask(manager, 3, DataType.FLOAT32).toFloatArray();
            float m = Blocks.MASKED;
            assertArrayEquals(new float[] {0, m, m, 0, 0, m, 0, 0, 0}, mask);
        }
    }

    @Test
    void withTheMaskEarlierOutputsIgnoreLaterTokensWithoutItTheyDoNot() {
        int tokens = 4;
        int width = 8;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SelfAttention attention = new SelfAttention(width, 2, 0.5f);
            attention.initialize(manager, DataType.FLOAT32, new Shape(1, tokens, width));
            ParameterStore store = new ParameterStore(manager, false);
            float[] x = random(tokens * width, 1);
            float[] changed = x.clone();
            for (int i = 3 * width; i < 4 * width; i++) {
                changed[i] += 5; // only the last token differs
            }
            NDArray mask = SelfAttention.causalMask(manager, tokens, DataType.FLOAT32);
            float[] masked = first3(attention.forward(store,
                    new NDList(manager.create(x, new Shape(1, tokens, width)), mask), false).singletonOrThrow());
            float[] maskedChanged = first3(attention.forward(store,
                    new NDList(manager.create(changed, new Shape(1, tokens, width)), mask), false).singletonOrThrow());
            assertArrayEquals(masked, maskedChanged, 1e-5f, "positions 0-2 cannot see position 3");
            float[] open = first3(attention.forward(store,
                    new NDList(manager.create(x, new Shape(1, tokens, width))), false).singletonOrThrow());
            float[] openChanged = first3(attention.forward(store,
                    new NDList(manager.create(changed, new Shape(1, tokens, width))), false).singletonOrThrow());
            assertFalse(Arrays.equals(open, openChanged), "without the mask they can");
            assertEquals(3 * width, masked.length);
        }
    }

    private static float[] first3(NDArray out) {
        return out.get(new NDIndex(":, 0:3, :")).toFloatArray();
    }
}
