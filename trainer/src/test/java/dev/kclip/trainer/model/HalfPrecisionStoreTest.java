package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.Test;

/** Mixed precision's parameter store: one float16 copy per parameter and step, the float32 master untouched. */
class HalfPrecisionStoreTest {

    private static Parameter parameter(NDManager manager, String name, float... values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(values));
        return p;
    }

    @Test
    void aParameterBecomesOneFloat16CopyPerStepThatRecordsItsOwnGradient() {
        try (NDManager weights = NDManager.newBaseManager("PyTorch"); NDManager step = weights.newSubManager()) {
            Parameter w = parameter(weights, "w", 1.5f, -0.25f, 3f);
            Parameter unused = parameter(weights, "unused", 1f);
            HalfPrecisionStore store = new HalfPrecisionStore(step);
            NDArray copy = store.getValue(w, Device.cpu(), true);
            assertEquals(DataType.FLOAT16, copy.getDataType());
            assertArrayEquals(new float[] {1.5f, -0.25f, 3f}, copy.toType(DataType.FLOAT32, false).toFloatArray());
            assertSame(copy, store.getValue(w, Device.cpu(), true), "one copy per step");
            assertSame(copy, store.copyOf(w));
            assertTrue(copy.hasGradient(), "training: the copy records gradients");
            assertEquals(DataType.FLOAT32, w.getArray().getDataType(), "the master stays float32");
            assertFalse(w.getArray().hasGradient());
            assertNull(store.copyOf(unused), "a parameter the forward pass never asked for has no copy");
            NDArray inference = new HalfPrecisionStore(step).getValue(w, Device.cpu(), false);
            assertFalse(inference.hasGradient(), "no gradients outside training");
        }
    }
}
