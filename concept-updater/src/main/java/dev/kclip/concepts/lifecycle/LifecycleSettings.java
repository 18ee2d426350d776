package dev.kclip.concepts.lifecycle;

/**
 * How concepts are born, merged and retired as the data changes, how τ follows them, and where the bootstrap
 * sample comes from (see the module README, "Concept life cycle").
 *
 * @param maxConcepts K may grow up to this many rows through births; 0 (the default) = 2·K
 * @param noveltyBuffer N, the novel records (farther from their concept than the novelty threshold) collected
 *     before they are clustered for births (default 64)
 * @param mergeRatio two concepts merge when the d² between their centroids is below this fraction of the typical
 *     within-concept d² (default 0.25); 0 = never merge
 * @param retireRatio a concept whose weight stays below this fraction of the mean active weight for
 *     {@code retireWindow} records retires (default 0.1); 0 = never retire
 * @param retireWindow records a concept's weight must stay low before it retires (default 5,000)
 * @param targetEntropy the mean label entropy (nats) τ is re-estimated to keep; 0 (the default) = the bootstrap
 *     labels' mean entropy. Only when τ comes from the data ({@code --temperature 0}); a fixed τ stays fixed
 * @param bootstrapWindow W, the records the bootstrap waits for and draws its sample of B from; 0 (the default)
 *     = B (the first B records, as before)
 */
public record LifecycleSettings(int maxConcepts, int noveltyBuffer, double mergeRatio, double retireRatio,
        long retireWindow, double targetEntropy, int bootstrapWindow) implements java.io.Serializable {

    public static final int DEFAULT_NOVELTY_BUFFER = 64;
    public static final double DEFAULT_MERGE_RATIO = 0.25;
    public static final double DEFAULT_RETIRE_RATIO = 0.1;
    public static final long DEFAULT_RETIRE_WINDOW = 5_000;

    public LifecycleSettings {
        if (maxConcepts < 0 || noveltyBuffer < 2 || bootstrapWindow < 0 || retireWindow < 0) {
            throw new IllegalArgumentException("max concepts, bootstrap window and retire window must be"
                    + " non-negative and the novelty buffer at least 2");
        }
        if (!(mergeRatio >= 0 && mergeRatio < 1) || !(retireRatio >= 0 && retireRatio < 1)) {
            throw new IllegalArgumentException("merge and retire ratios must be in [0, 1)");
        }
        if (!(targetEntropy >= 0) || !Double.isFinite(targetEntropy)) {
            throw new IllegalArgumentException("target entropy must be 0 (the bootstrap's) or positive");
        }
    }

    public static LifecycleSettings defaults() {
        return new LifecycleSettings(0, DEFAULT_NOVELTY_BUFFER, DEFAULT_MERGE_RATIO, DEFAULT_RETIRE_RATIO,
                DEFAULT_RETIRE_WINDOW, 0, 0);
    }

    /** The most rows K may grow to for a bootstrap of {@code k} concepts. */
    public int effectiveMaxConcepts(int k) {
        return maxConcepts > 0 ? Math.max(k, maxConcepts) : 2 * k;
    }

    /** W for a bootstrap sample of {@code bootstrapSize} records. */
    public int effectiveBootstrapWindow(int bootstrapSize) {
        return Math.max(bootstrapSize, bootstrapWindow);
    }

    public LifecycleSettings withMaxConcepts(int value) {
        return new LifecycleSettings(value, noveltyBuffer, mergeRatio, retireRatio, retireWindow, targetEntropy,
                bootstrapWindow);
    }

    public LifecycleSettings withNoveltyBuffer(int value) {
        return new LifecycleSettings(maxConcepts, value, mergeRatio, retireRatio, retireWindow, targetEntropy,
                bootstrapWindow);
    }

    public LifecycleSettings withRetire(double ratio, long window) {
        return new LifecycleSettings(maxConcepts, noveltyBuffer, mergeRatio, ratio, window, targetEntropy,
                bootstrapWindow);
    }

    public LifecycleSettings withMergeRatio(double value) {
        return new LifecycleSettings(maxConcepts, noveltyBuffer, value, retireRatio, retireWindow, targetEntropy,
                bootstrapWindow);
    }

    public LifecycleSettings withTargetEntropy(double value) {
        return new LifecycleSettings(maxConcepts, noveltyBuffer, mergeRatio, retireRatio, retireWindow, value,
                bootstrapWindow);
    }

    public LifecycleSettings withBootstrapWindow(int value) {
        return new LifecycleSettings(maxConcepts, noveltyBuffer, mergeRatio, retireRatio, retireWindow,
                targetEntropy, value);
    }
}
