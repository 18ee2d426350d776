package dev.kclip.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** Constants as arrays of the operand's manager: right values, the operand's type, and their gradients. */
class ScalarsTest {

    @Test
    void mulDivAndAddComputeWithTheConstant() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(new float[] {1, -2, 4});
            assertArrayEquals(new float[] {0.5f, -1, 2}, Scalars.mul(x, 0.5).toFloatArray());
            assertArrayEquals(new float[] {0.25f, -0.5f, 1}, Scalars.div(x, 4).toFloatArray());
            assertArrayEquals(new float[] {2.5f, -0.5f, 5.5f}, Scalars.add(x, 1.5).toFloatArray());
        }
    }

    @Test
    void float16StaysFloat16() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray half = manager.create(new float[] {1, 2}).toType(DataType.FLOAT16, false);
            NDArray product = Scalars.mul(half, 3);
            assertEquals(DataType.FLOAT16, product.getDataType());
            assertArrayEquals(new float[] {3, 6}, product.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void theGradientOfAProductAndAQuotientIsTheConstant() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getEngine(StudentModel.ENGINE).newGradientCollector()) {
                NDArray y = Scalars.add(Scalars.div(Scalars.mul(x, 6), 2), 7).sum();
                System.gc(); // the constants must outlive a collection between forward and backward
                collector.backward(y);
            }
            assertArrayEquals(new float[] {3, 3, 3}, x.getGradient().toFloatArray());
        }
    }
}
