package dev.kclip.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.kclip.trainer.model.RowRemap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AdamW, clipping, warm-up and loss scaling against values computed by hand. */
class AdamWTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Parameter parameter(String name, float[] values, Shape shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optArray(manager.create(values, shape)).build();
    }

    @Test
    void firstStepMovesEachWeightByTheRateAgainstTheGradientSign() {
        // step 1: m̂ = g, v̂ = g², so the update is lr · g / (|g| + ε) ≈ lr · sign(g); a vector is not decayed
        Parameter w = parameter("b", new float[] {1, 2}, new Shape(2));
        AdamW adam = new AdamW(new AdamW.Settings(0.9, 0.98, 1e-6, 0.5), manager);
        adam.update(Map.of("b", w), Map.of("b", manager.create(new float[] {0.1f, -0.2f})), 0.1);
        assertArrayEquals(new float[] {0.9f, 2.1f}, w.getArray().toFloatArray(), 1e-5f);
        assertEquals(1, adam.step());
    }

    @Test
    void matricesAreDecayedDecoupledFromTheGradient() {
        // zero gradient: only w ← w − lr·λ·w = 1 − 0.1·0.5 = 0.95
        Parameter w = parameter("w", new float[] {1}, new Shape(1, 1));
        AdamW adam = new AdamW(new AdamW.Settings(0.9, 0.98, 1e-6, 0.5), manager);
        adam.update(Map.of("w", w), Map.of("w", manager.create(new float[] {0}, new Shape(1, 1))), 0.1);
        assertEquals(0.95f, w.getArray().toFloatArray()[0], 1e-6f);
    }

    @Test
    void secondStepUsesBiasCorrectedMoments() {
        // g1 = 1, g2 = −1 (β1 = 0.5, β2 = 0.5): m2 = 0.5·0.5 − 0.5 = −0.25, m̂ = −0.25/0.75 = −1/3
        // v2 = 0.5·0.5 + 0.5 = 0.75, v̂ = 0.75/0.75 = 1; update = lr · (−1/3) / 1
        Parameter w = parameter("b", new float[] {0}, new Shape(1));
        AdamW adam = new AdamW(new AdamW.Settings(0.5, 0.5, 1e-12, 0), manager);
        adam.update(Map.of("b", w), Map.of("b", manager.create(new float[] {1})), 1.0);
        float afterFirst = w.getArray().toFloatArray()[0];
        assertEquals(-1f, afterFirst, 1e-5f);
        adam.update(Map.of("b", w), Map.of("b", manager.create(new float[] {-1})), 1.0);
        assertEquals(afterFirst + 1f / 3, w.getArray().toFloatArray()[0], 1e-5f);
    }

    @Test
    void restoredStateContinuesExactlyLikeTheOriginal() {
        AdamW.Settings settings = new AdamW.Settings(0.9, 0.98, 1e-6, 0.1);
        Parameter a = parameter("w", new float[] {1, 2, 3, 4}, new Shape(2, 2));
        AdamW original = new AdamW(settings, manager);
        original.update(Map.of("w", a), Map.of("w", manager.create(new float[] {0.3f, -0.1f, 0.2f, 0.5f}, new Shape(2, 2))), 0.01);
        Map<String, NDArray> saved = new LinkedHashMap<>();
        original.state().forEach((k, v) -> saved.put(k, manager.create(v.toFloatArray(), v.getShape())));
        Parameter b = parameter("w", a.getArray().toFloatArray(), new Shape(2, 2));
        AdamW restored = new AdamW(settings, manager);
        restored.restore(original.step(), saved);
        NDArray g = manager.create(new float[] {-0.2f, 0.4f, 0.1f, -0.3f}, new Shape(2, 2));
        original.update(Map.of("w", a), Map.of("w", g), 0.01);
        restored.update(Map.of("w", b), Map.of("w", g), 0.01);
        assertArrayEquals(a.getArray().toFloatArray(), b.getArray().toFloatArray(), 0f);
        // a fresh optimizer (no state) would move differently
        Parameter c = parameter("w", b.getArray().toFloatArray(), new Shape(2, 2));
        new AdamW(settings, manager).update(Map.of("w", c), Map.of("w", g), 0.01);
        assertFalse(Arrays.equals(c.getArray().toFloatArray(), a.getArray().toFloatArray()));
    }

    @Test
    void momentsFollowTheConceptRows() {
        Parameter w = parameter("concept_classifier.weight", new float[] {1, 1, 1, 1, 1, 1}, new Shape(3, 2));
        AdamW adam = new AdamW(AdamW.Settings.CLIP, manager);
        adam.update(Map.of("concept_classifier.weight", w), Map.of("concept_classifier.weight",
                manager.create(new float[] {1, 1, 2, 2, 3, 3}, new Shape(3, 2))), 0.01);
        adam.remapRows("concept_classifier.weight", RowRemap.forConcepts(3, 4, Set.of(1)));
        float[] m = adam.state().get("m/concept_classifier.weight").toFloatArray();
        // m = 0.1·g for kept rows 0 and 2; row 1 reseeded and row 3 new: zero
        assertArrayEquals(new float[] {0.1f, 0.1f, 0, 0, 0.3f, 0.3f, 0, 0}, m, 1e-6f);
    }

    @Test
    void clippingScalesToTheMaximumGlobalNorm() {
        List<NDArray> g = List.of(manager.create(new float[] {3}), manager.create(new float[] {4}));
        double norm = GradientClipping.globalNorm(g);
        assertEquals(5.0, norm, 1e-6);
        GradientClipping.clip(g, norm, 1.0);
        assertEquals(0.6f, g.get(0).getFloat(), 1e-5f);
        assertEquals(0.8f, g.get(1).getFloat(), 1e-5f);
        GradientClipping.clip(g, GradientClipping.globalNorm(g), 10.0);
        assertEquals(0.6f, g.get(0).getFloat(), 1e-5f);
    }

    @Test
    void warmUpIsLinearThenConstantWithoutDecay() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 0, 0.1);
        assertEquals(1e-4, s.at(1), 1e-12);
        assertEquals(5e-4, s.at(5), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(1e-3, s.at(10_000), 1e-12);
    }

    @Test
    void afterWarmUpTheRateFollowsACosineDownToItsFloor() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 100, 0.1);
        assertEquals(1e-3, s.at(10), 1e-12, "the peak right after warm-up");
        assertEquals(1e-3 * (0.1 + 0.9 * 0.5), s.at(60), 1e-12, "half-way down the cosine");
        assertEquals(1e-3 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4))), s.at(35), 1e-12);
        assertEquals(1e-4, s.at(110), 1e-12, "the floor");
        assertEquals(1e-4, s.at(1_000_000), 1e-12, "and it stays there");
        assertTrue(s.at(30) > s.at(31), "it falls");
    }

    @Test
    void lossScalerHalvesAndSkipsOnOverflow() {
        LossScaler scaler = LossScaler.dynamic();
        assertEquals(65536.0, scaler.scale());
        assertFalse(scaler.record(Double.POSITIVE_INFINITY));
        assertEquals(32768.0, scaler.scale());
        assertFalse(scaler.record(Double.NaN));
        assertEquals(16384.0, scaler.scale());
        assertTrue(scaler.record(3.0));
        LossScaler none = LossScaler.none();
        assertFalse(none.record(Double.NaN));
        assertEquals(1.0, none.scale());
    }
}
