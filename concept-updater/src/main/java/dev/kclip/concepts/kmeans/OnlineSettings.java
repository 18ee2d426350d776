package dev.kclip.concepts.kmeans;

/**
 * How the online mini-batch update runs.
 *
 * @param decay forgetting between updates (default: half-life of 10,000 records)
 * @param reseedRatio a cluster whose weight falls below this fraction of the largest weight is re-seeded by
 *     splitting the largest cluster (default 1e-3; Spark uses 1e-8)
 * @param seed seeds the direction in which a split cluster's two halves are pushed apart
 */
public record OnlineSettings(Decay decay, double reseedRatio, long seed)
        implements java.io.Serializable {

    public OnlineSettings {
        if (decay == null) {
            throw new IllegalArgumentException("decay is required");
        }
        if (!(reseedRatio >= 0 && reseedRatio < 1)) {
            throw new IllegalArgumentException("reseed ratio must be in [0, 1), not " + reseedRatio);
        }
    }

    public static OnlineSettings defaults() {
        return new OnlineSettings(Decay.halfLifeRecords(10_000), 1e-3, KMeansSettings.DEFAULT_SEED);
    }
}
