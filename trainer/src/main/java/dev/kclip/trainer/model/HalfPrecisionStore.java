package dev.kclip.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A parameter store for {@link Precision#MIXED}: blocks ask it for a parameter and get a float16 copy of the
 * float32 master weight, made once per step in the step's manager and recording gradients of its own.
 */
final class HalfPrecisionStore extends ParameterStore {

    private final NDManager stepManager;
    private final Map<Parameter, NDArray> copies = new IdentityHashMap<>();

    HalfPrecisionStore(NDManager stepManager) {
        super(stepManager, false);
        this.stepManager = stepManager;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        return copies.computeIfAbsent(parameter, p -> {
            NDArray copy = p.getArray().toType(DataType.FLOAT16, true);
            copy.attach(stepManager);
            if (training && p.requiresGradient()) {
                copy.setRequiresGradient(true);
            }
            return copy;
        });
    }

    /** The float16 copy the forward pass used for {@code parameter}, or null when it was not used. */
    NDArray copyOf(Parameter parameter) {
        return copies.get(parameter);
    }
}
