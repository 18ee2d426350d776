package dev.kclip.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.kclip.trainer.model.RowRemap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter) with its state in the open, so checkpoints can save and restore it exactly
 * (DJL's optimizers keep theirs private, keyed by per-run ids). For each weight w with gradient g, at step t:
 * <pre>
 * m = β1·m + (1 − β1)·g
 * v = β2·v + (1 − β2)·g²
 * w = w − lr·( (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) + λ·w )
 * </pre>
 * Decoupled weight decay λ applies to matrices only (weights with two or more axes); biases, norms, the class
 * embedding and the logit scale are not decayed, as in CLIP. Moments live on the weights' device, in float32.
 */
public final class AdamW {

    /** Hyper-parameters; CLIP's are β1 = 0.9, β2 = 0.98, ε = 1e-6, λ = 0.2. */
    public record Settings(double beta1, double beta2, double epsilon, double weightDecay) {
        public static final Settings CLIP = new Settings(0.9, 0.98, 1e-6, 0.2);

        public Settings {
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || epsilon <= 0 || weightDecay < 0) {
                throw new IllegalArgumentException("AdamW needs 0 ≤ β < 1, ε > 0, λ ≥ 0; got " + this);
            }
        }
    }

    private final Settings settings;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new HashMap<>();
    private final Map<String, NDArray> secondMoments = new HashMap<>();
    private long step;

    /** @param manager where the moments live (the model's manager, so they sit beside the weights) */
    public AdamW(Settings settings, NDManager manager) {
        this.settings = settings;
        this.manager = manager;
    }

    public Settings settings() {
        return settings;
    }

    /** Updates taken so far. */
    public long step() {
        return step;
    }

    /**
     * Applies one update to every weight that has a gradient.
     *
     * @param weights by name
     * @param gradients by name, float32, already clipped and unscaled
     * @param learningRate this step's rate
     */
    public void update(Map<String, Parameter> weights, Map<String, NDArray> gradients, double learningRate) {
        step++;
        float correction1 = (float) (1 - Math.pow(settings.beta1(), step));
        float correction2 = (float) (1 - Math.pow(settings.beta2(), step));
        float beta1 = (float) settings.beta1();
        float beta2 = (float) settings.beta2();
        for (Map.Entry<String, NDArray> entry : gradients.entrySet()) {
            NDArray w = weights.get(entry.getKey()).getArray();
            NDArray g = entry.getValue();
            NDArray m = firstMoments.computeIfAbsent(entry.getKey(), k -> manager.zeros(w.getShape()));
            NDArray v = secondMoments.computeIfAbsent(entry.getKey(), k -> manager.zeros(w.getShape()));
            // temporaries would otherwise attach to the long-lived managers of m, v and w
            try (NDManager temporaries = manager.newSubManager()) {
                m.muli(beta1).addi(temporary(g.mul(1 - beta1), temporaries));
                v.muli(beta2).addi(temporary(g.square(), temporaries).muli(1 - beta2));
                NDArray denominator = temporary(v.div(correction2), temporaries).sqrt().addi((float) settings.epsilon());
                NDArray update = temporary(m.div(correction1), temporaries).divi(denominator);
                if (settings.weightDecay() > 0 && w.getShape().dimension() >= 2) {
                    update.addi(temporary(w.mul((float) settings.weightDecay()), temporaries));
                }
                w.subi(update.muli((float) learningRate));
            }
        }
    }

    private static NDArray temporary(NDArray array, NDManager temporaries) {
        array.attach(temporaries);
        return array;
    }

    /** The moments to save, as {@code m/NAME} and {@code v/NAME}. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> state.put("m/" + name, m));
        secondMoments.forEach((name, v) -> state.put("v/" + name, v));
        return state;
    }

    /**
     * Restores what {@link #state} and {@link #step} returned; the arrays become this optimizer's (moved to its
     * manager, copied to its device when elsewhere).
     */
    public void restore(long savedStep, Map<String, NDArray> state) {
        clear();
        step = savedStep;
        state.forEach((key, array) -> {
            NDArray copy = array.getDevice().equals(manager.getDevice()) ? array : array.toDevice(manager.getDevice(), true);
            copy.attach(manager);
            if (key.startsWith("m/")) {
                firstMoments.put(key.substring(2), copy);
            } else if (key.startsWith("v/")) {
                secondMoments.put(key.substring(2), copy);
            } else {
                throw new IllegalArgumentException("not an AdamW state entry: " + key);
            }
        });
    }

    /** Remaps the moments of a per-concept weight when K changes (rows follow {@code plan}, fresh rows start at 0). */
    public void remapRows(String name, RowRemap plan) {
        for (Map<String, NDArray> moments : List.of(firstMoments, secondMoments)) {
            NDArray old = moments.get(name);
            if (old == null) {
                continue;
            }
            long[] shape = old.getShape().getShape().clone();
            shape[0] = plan.newRows();
            NDArray fresh = manager.zeros(new Shape(shape));
            plan.copyRows(old, fresh);
            moments.put(name, fresh);
            old.close();
        }
    }

    private void clear() {
        firstMoments.values().forEach(NDArray::close);
        secondMoments.values().forEach(NDArray::close);
        firstMoments.clear();
        secondMoments.clear();
    }
}
