package dev.kclip.teacher.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * Groups items into batches for one forward pass each, bounded by the tokens the pass computes and by how long the
 * oldest item may wait. Items leave in arrival order (so offsets are committed per partition in order).
 *
 * <p>A batch's cost is its padded size, {@code items × longest} tokens — what the model computes and holds in
 * memory — not the sum of lengths. Items of 0 tokens (records rejected before the model) cost nothing.
 *
 * @param <T> what is batched
 */
public final class MicroBatcher<T> {

    private record Entry<T>(T item, int tokens, long arrivedNanos) {
    }

    private final int maxTokens;
    private final int maxItems;
    private final long maxWaitNanos;
    private final Deque<Entry<T>> queue = new ArrayDeque<>();

    /**
     * @param maxTokens padded tokens per batch; an item longer than this forms a batch of its own
     * @param maxItems items per batch
     * @param maxWait how long the oldest item waits for company before its batch goes anyway
     */
    public MicroBatcher(int maxTokens, int maxItems, Duration maxWait) {
        if (maxTokens < 1 || maxItems < 1 || maxWait.isNegative()) {
            throw new IllegalArgumentException("batch limits must be positive: maxTokens=" + maxTokens
                    + " maxItems=" + maxItems + " maxWait=" + maxWait);
        }
        this.maxTokens = maxTokens;
        this.maxItems = maxItems;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Queues {@code item}, which costs {@code tokens} in a forward pass (0 when it will not reach the model). */
    public void add(T item, int tokens, long nowNanos) {
        queue.addLast(new Entry<>(item, tokens, nowNanos));
    }

    /** True when a batch should go now: a full one is queued, or the oldest item has waited long enough. */
    public boolean isDue(long nowNanos) {
        if (queue.isEmpty()) {
            return false;
        }
        Prefix next = nextBatch();
        return next.count() < queue.size() || next.count() >= maxItems || next.cost() >= maxTokens
                || nowNanos - queue.peekFirst().arrivedNanos() >= maxWaitNanos;
    }

    /** Nanoseconds until the oldest item is due by waiting (0 if due, {@code Long.MAX_VALUE} when empty). */
    public long nanosUntilDue(long nowNanos) {
        if (queue.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, queue.peekFirst().arrivedNanos() + maxWaitNanos - nowNanos);
    }

    /** Removes and returns the next batch: the longest prefix within both limits, at least one item. */
    public List<T> take() {
        int size = nextBatch().count();
        List<T> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(queue.pollFirst().item());
        }
        return batch;
    }

    /** Removes and returns everything queued, in order. */
    public List<T> drain() {
        List<T> all = new ArrayList<>(queue.size());
        queue.forEach(e -> all.add(e.item()));
        queue.clear();
        return all;
    }

    /** Drops the queued items {@code filter} matches. */
    public void removeIf(Predicate<T> filter) {
        queue.removeIf(e -> filter.test(e.item()));
    }

    public int size() {
        return queue.size();
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** The next batch: its item count and padded cost. */
    private record Prefix(int count, long cost) {
    }

    /** The longest prefix whose padded cost and count stay within the limits (at least one item). */
    private Prefix nextBatch() {
        int count = 0;
        long cost = 0;
        int modelItems = 0;
        int longest = 0;
        for (Entry<T> e : queue) {
            int nextModelItems = modelItems + (e.tokens() > 0 ? 1 : 0);
            int nextLongest = Math.max(longest, e.tokens());
            long nextCost = (long) nextModelItems * nextLongest;
            if (count > 0 && (count + 1 > maxItems || nextCost > maxTokens)) {
                break;
            }
            count++;
            modelItems = nextModelItems;
            longest = nextLongest;
            cost = nextCost;
        }
        return new Prefix(count, cost);
    }
}
