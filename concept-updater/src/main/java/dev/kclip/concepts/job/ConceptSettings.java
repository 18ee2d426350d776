package dev.kclip.concepts.job;

import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.OnlineSettings;
import dev.kclip.concepts.lifecycle.LifecycleSettings;
import java.io.Serializable;

/**
 * What the concept operators need to know: the algorithm's settings and the job's batching.
 *
 * @param kmeans K, geometry, kernel, τ, seed, Lloyd limits (the bootstrap)
 * @param online forgetting and re-seeding (the mini-batch updates)
 * @param drift window layout and false-alarm rates
 * @param bootstrapSize B, the records buffered for the bootstrap; 0 = max(2,048, 20·K)
 * @param batchSize m, records per mini-batch update (default 256)
 * @param snapshotEvery a centroid snapshot is written after every this many updates (default 1: every update)
 * @param assigners 0 = one operator labels and updates (default); P ≥ 1 = the parallel path: P assigners label
 *     with broadcast centroids and send partial statistics to one updater, new centroids come back through the
 *     snapshot topic
 * @param lifecycle births, merges, retirements, τ's target entropy and the bootstrap window
 */
public record ConceptSettings(KMeansSettings kmeans, OnlineSettings online, DriftSettings drift, int bootstrapSize,
        int batchSize, int snapshotEvery, int assigners, LifecycleSettings lifecycle) implements Serializable {

    public ConceptSettings {
        if (kmeans == null || online == null || drift == null || lifecycle == null) {
            throw new IllegalArgumentException("kmeans, online, drift and lifecycle settings are required");
        }
        if (bootstrapSize < 0 || bootstrapSize > 0 && bootstrapSize < kmeans.k()) {
            throw new IllegalArgumentException("bootstrap size must be 0 (automatic) or at least K=" + kmeans.k()
                    + ", not " + bootstrapSize);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshot interval must be at least 1 update, not " + snapshotEvery);
        }
        if (assigners < 0) {
            throw new IllegalArgumentException("assigners must be 0 (single operator) or more, not " + assigners);
        }
    }

    public static ConceptSettings defaults() {
        return new ConceptSettings(KMeansSettings.defaults(KMeansSettings.DEFAULT_K), OnlineSettings.defaults(),
                DriftSettings.defaults(), 0, 256, 1, 0, LifecycleSettings.defaults());
    }

    /** B: the configured bootstrap size, or max(2,048, 20·K). */
    public int effectiveBootstrapSize() {
        return bootstrapSize > 0 ? bootstrapSize : Math.max(2_048, 20 * kmeans.k());
    }

    /** W: the records the bootstrap waits for and samples B from. */
    public int effectiveBootstrapWindow() {
        return lifecycle.effectiveBootstrapWindow(effectiveBootstrapSize());
    }

    /** The most rows K may grow to. */
    public int effectiveMaxConcepts() {
        return lifecycle.effectiveMaxConcepts(kmeans.k());
    }

    /** Records an assigner labels before it sends its partial statistics: m / P, at least 1. */
    public int assignerFlushSize() {
        return Math.max(1, batchSize / Math.max(1, assigners));
    }

    public ConceptSettings withKMeans(KMeansSettings value) {
        return new ConceptSettings(value, online, drift, bootstrapSize, batchSize, snapshotEvery, assigners,
                lifecycle);
    }

    public ConceptSettings withDrift(DriftSettings value) {
        return new ConceptSettings(kmeans, online, value, bootstrapSize, batchSize, snapshotEvery, assigners,
                lifecycle);
    }

    public ConceptSettings withBootstrapSize(int value) {
        return new ConceptSettings(kmeans, online, drift, value, batchSize, snapshotEvery, assigners,
                lifecycle);
    }

    public ConceptSettings withBatchSize(int value) {
        return new ConceptSettings(kmeans, online, drift, bootstrapSize, value, snapshotEvery, assigners,
                lifecycle);
    }

    public ConceptSettings withLifecycle(LifecycleSettings value) {
        return new ConceptSettings(kmeans, online, drift, bootstrapSize, batchSize, snapshotEvery, assigners, value);
    }

    public ConceptSettings withOnline(OnlineSettings value) {
        return new ConceptSettings(kmeans, value, drift, bootstrapSize, batchSize, snapshotEvery, assigners,
                lifecycle);
    }

    public ConceptSettings withAssigners(int value) {
        return new ConceptSettings(kmeans, online, drift, bootstrapSize, batchSize, snapshotEvery, value,
                lifecycle);
    }
}
