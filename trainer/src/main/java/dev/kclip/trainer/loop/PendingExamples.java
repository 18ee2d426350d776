package dev.kclip.trainer.loop;

import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.data.TrainingExample;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Stream examples read but not trained yet, and the offsets a checkpoint may safely record: per partition, the
 * oldest offset still waiting, or, when nothing waits, the offset after the last record resolved (trained, held
 * out or dead-lettered). Everything before a safe offset is in the weights (or was never to be trained), so a
 * restart from it neither loses nor repeats an example.
 */
final class PendingExamples {

    private record Waiting(TrainingExample example, long arrivalNanos) {
    }

    private final Deque<Waiting> queue = new ArrayDeque<>();
    private final Map<String, TreeSet<Long>> waiting = new HashMap<>();
    private final Map<String, Long> next = new TreeMap<>();

    /** Starts from the offsets of a checkpoint (or the positions the consumer was sought to). */
    PendingExamples(Map<String, Long> startOffsets) {
        next.putAll(startOffsets);
    }

    /** A record that will be trained. */
    void add(TrainingExample example, long nowNanos) {
        queue.add(new Waiting(example, nowNanos));
        TrainingExample.Source s = example.source();
        String key = CheckpointManifest.offsetKey(s.topic(), s.partition());
        waiting.computeIfAbsent(key, k -> new TreeSet<>()).add(s.offset());
        next.merge(key, s.offset() + 1, Math::max);
    }

    /** A record that is done as soon as it is read (held out, dead-lettered). */
    void resolved(String topic, int partition, long offset) {
        next.merge(CheckpointManifest.offsetKey(topic, partition), offset + 1, Math::max);
    }

    int size() {
        return queue.size();
    }

    /** How long the oldest waiting example has waited. */
    long oldestWaitNanos(long nowNanos) {
        return queue.isEmpty() ? 0 : nowNanos - queue.peek().arrivalNanos();
    }

    /** The up to {@code n} examples {@link #take} would take, left waiting. */
    List<TrainingExample> peek(int n) {
        return queue.stream().limit(n).map(Waiting::example).toList();
    }

    /** Takes up to {@code n} examples, oldest first, and marks them trained. */
    List<TrainingExample> take(int n) {
        List<TrainingExample> batch = new ArrayList<>(Math.min(n, queue.size()));
        while (batch.size() < n && !queue.isEmpty()) {
            TrainingExample e = queue.poll().example();
            batch.add(e);
            TrainingExample.Source s = e.source();
            waiting.get(CheckpointManifest.offsetKey(s.topic(), s.partition())).remove(s.offset());
        }
        return batch;
    }

    /** Per {@code topic-partition}, the offset from which a restart must read. */
    Map<String, Long> safeOffsets() {
        Map<String, Long> safe = new TreeMap<>(next);
        waiting.forEach((key, offsets) -> {
            if (!offsets.isEmpty()) {
                safe.put(key, offsets.first());
            }
        });
        return safe;
    }
}
