package dev.kclip.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A uniform sample of everything offered so far, of at most {@code capacity} items (reservoir sampling,
 * Vitter's algorithm R): after n offers each item is in the reservoir with probability capacity/n. Replaying from
 * it mixes old examples into new batches so the model does not forget what the stream no longer shows.
 */
public final class ReplayReservoir<T> {

    private final int capacity;
    private final Random random;
    private final List<T> items;
    private long seen;

    public ReplayReservoir(int capacity, Random random) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be non-negative");
        }
        this.capacity = capacity;
        this.random = random;
        this.items = new ArrayList<>(Math.min(capacity, 1 << 16));
    }

    /** Offers one item; it replaces a random resident with probability capacity/seen once the reservoir is full. */
    public void offer(T item) {
        seen++;
        if (items.size() < capacity) {
            items.add(item);
            return;
        }
        long slot = (long) (random.nextDouble() * seen);
        if (slot < capacity) {
            items.set((int) slot, item);
        }
    }

    /** Up to {@code n} distinct residents, chosen uniformly. */
    public List<T> sample(int n) {
        int count = Math.min(n, items.size());
        List<T> sample = new ArrayList<>(count);
        // partial Fisher-Yates over indexes, leaving the reservoir's order untouched
        int[] index = new int[items.size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(index.length - i);
            int t = index[i];
            index[i] = index[j];
            index[j] = t;
            sample.add(items.get(index[i]));
        }
        return sample;
    }

    public int size() {
        return items.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Items offered in total. */
    public long seen() {
        return seen;
    }
}
