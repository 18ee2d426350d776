package dev.kclip.concepts.drift;

import dev.kclip.concepts.state.VectorSampleState;
import dev.kclip.schemas.Float32Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A uniform sample of at most {@code capacity} vectors that merges like the other window statistics: a bottom-k
 * sketch. Every offered vector gets a hash of its content and its record's event time (so a caption that comes
 * again is another draw, not the same one); a vector is kept when its hash falls below the rate
 * cut (a Bernoulli pre-filter, so a parallel assigner ships only about {@code rate} of its vectors) and among the
 * {@code capacity} smallest hashes. The union of two such samples, cut to the smallest hashes again, is the sample
 * of the union: no random state, the same on every path and after every restore.
 */
public final class VectorSample {

    private final int capacity;
    private final TreeMap<Long, float[]> byHash = new TreeMap<>();

    public VectorSample(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be non-negative, not " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Offers one vector.
     *
     * @param vector kept as is (not copied: the caller hands over a vector it no longer changes)
     * @param eventTime its record's event time, part of the hash
     * @param rate the share of vectors the pre-filter lets through, in (0, 1]
     */
    public void offer(float[] vector, long eventTime, double rate) {
        long hash = hash(vector, eventTime);
        // hashes are uniform over the non-negative longs: keep below rate · 2⁶³
        if (rate < 1 && hash >= rate * Long.MAX_VALUE) {
            return;
        }
        put(hash, vector);
    }

    /** Adds another sample's vectors (this sample's capacity applies). */
    public void merge(VectorSample other) {
        other.byHash.forEach(this::put);
    }

    private void put(long hash, float[] vector) {
        if (capacity == 0) {
            return;
        }
        if (byHash.size() < capacity) {
            byHash.put(hash, vector);
        } else if (hash < byHash.lastKey() && !byHash.containsKey(hash)) {
            byHash.pollLastEntry();
            byHash.put(hash, vector);
        }
    }

    /** A sample of capacity {@code count} holding this one's {@code count} smallest hashes. */
    public VectorSample smallest(int count) {
        VectorSample head = new VectorSample(count);
        byHash.entrySet().stream().limit(count).forEach(e -> head.byHash.put(e.getKey(), e.getValue()));
        return head;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return byHash.size();
    }

    /** The sampled vectors, in hash order (which is a random order). */
    public List<float[]> vectors() {
        return new ArrayList<>(byHash.values());
    }

    /** This sample as state (vectors float32 little-endian, row after row). */
    public VectorSampleState toState() {
        int dim = byHash.isEmpty() ? 0 : byHash.firstEntry().getValue().length;
        float[] all = new float[byHash.size() * dim];
        int row = 0;
        for (float[] v : byHash.values()) {
            System.arraycopy(v, 0, all, row++ * dim, dim);
        }
        return new VectorSampleState(capacity, dim, new ArrayList<>(byHash.keySet()), Float32Vectors.encode(all));
    }

    /** Reads what {@link #toState} wrote. */
    public static VectorSample fromState(VectorSampleState state) {
        VectorSample sample = new VectorSample(state.getCapacity());
        int dim = state.getDim();
        List<Long> hashes = state.getHashes();
        float[] all = Float32Vectors.decode(state.getVectors(), hashes.size() * dim);
        for (int i = 0; i < hashes.size(); i++) {
            float[] v = new float[dim];
            System.arraycopy(all, i * dim, v, 0, dim);
            sample.byHash.put(hashes.get(i), v);
        }
        return sample;
    }

    /** A 63-bit hash of the vector's float bits and {@code salt} (SplitMix64's finaliser over a running mix). */
    static long hash(float[] vector, long salt) {
        long h = mix(0x9E3779B97F4A7C15L ^ salt);
        for (float f : vector) {
            h = mix(h ^ Float.floatToIntBits(f));
        }
        return mix(h + vector.length) >>> 1;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
