package dev.kclip.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant on arrays that may be part of the autograd graph. Use these instead of
 * {@code NDArray.mul(Number)}, {@code div(Number)} or {@code add(Number)} wherever a gradient flows.
 *
 * <p>Why: DJL's PyTorch engine makes the Java number a tensor over a direct buffer, without copying, and closes that
 * tensor as soon as the operation returns, which lets the JVM free the buffer. Autograd keeps the tensor for the
 * backward pass of a product or a quotient; after a garbage collection between forward and backward it reads freed
 * memory, and the gradients come out wrong at random: huge, zero, infinite or NaN (on a CPU; on a GPU the number
 * is copied to the device). Here the constant is an array of {@code x}'s manager, so it lives as long as the step
 * that owns {@code x}, which is past the backward pass.
 */
public final class Scalars {

    private Scalars() {
    }

    /** {@code x · factor}. */
    public static NDArray mul(NDArray x, double factor) {
        return x.mul(constant(x, factor));
    }

    /** {@code x / divisor}. */
    public static NDArray div(NDArray x, double divisor) {
        return x.div(constant(x, divisor));
    }

    /** {@code x + term}. */
    public static NDArray add(NDArray x, double term) {
        return x.add(constant(x, term));
    }

    /** A 0-d array of {@code x}'s type (so float16 stays float16), owned by {@code x}'s manager. */
    private static NDArray constant(NDArray x, double value) {
        return x.getManager().create((float) value).toType(x.getDataType(), false);
    }
}
