package dev.kclip.common.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.kafka.KafkaConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Each stage's progress as Kafka sees it: for every consumer group of the cluster (a stage's, e.g. the teacher's or
 * the Flink job's, which commits on its checkpoints), the records it committed per second and its lag (committed
 * end offsets, read_committed, minus its committed offsets), sampled with one admin client. Bounded:
 * {@link #MAX_GROUPS} groups, {@code points} per figure.
 */
public final class ConsumerGroupProgress implements LiveSource {

    /** Groups followed at most (a pipeline has a handful). */
    static final int MAX_GROUPS = 32;
    private static final long TIMEOUT_MS = 2_000;

    private final Admin admin;
    private final int points;
    // guarded by this
    private final Map<String, Long> lastCommitted = new HashMap<>();
    private long lastMillis;
    private final Map<String, TimeSeries> rates = new TreeMap<>();
    private final Map<String, TimeSeries> lags = new TreeMap<>();
    private String problem;

    private ConsumerGroupProgress(Admin admin, int points) {
        this.admin = admin;
        this.points = points;
    }

    /** Follows the groups of the cluster {@code kafka} reaches, keeping {@code points} points per figure. */
    public static ConsumerGroupProgress of(KafkaConnection kafka, int points) {
        return new ConsumerGroupProgress(Admin.create(kafka.admin()), points);
    }

    @Override
    public void sample(long nowMillis) {
        Map<String, long[]> progress = new TreeMap<>();   // group -> {committed, lag}
        String failed = null;
        try {
            for (GroupListing group : admin.listGroups().all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                if (progress.size() >= MAX_GROUPS) {
                    break;
                }
                Map<TopicPartition, OffsetAndMetadata> committed = committed(group.groupId());
                if (!committed.isEmpty()) {
                    progress.put(group.groupId(), progress(committed));
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            failed = "cannot read the consumer groups: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        record(nowMillis, progress, failed);
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws InterruptedException, TimeoutException {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            offsets.values().removeIf(o -> o == null);
            return offsets;
        } catch (ExecutionException e) {
            return Map.of();   // not a group with offsets (a share group, one deleted meanwhile)
        }
    }

    private long[] progress(Map<TopicPartition, OffsetAndMetadata> committed)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        long sum = 0;
        long lag = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            sum += e.getValue().offset();
            ListOffsetsResult.ListOffsetsResultInfo end = ends.get(e.getKey());
            lag += end == null ? 0 : Math.max(0, end.offset() - e.getValue().offset());
        }
        return new long[] {sum, lag};
    }

    private synchronized void record(long nowMillis, Map<String, long[]> progress, String failed) {
        problem = failed;
        double seconds = (nowMillis - lastMillis) / 1000.0;
        progress.forEach((group, p) -> {
            Long before = lastCommitted.get(group);
            if (before != null && seconds > 0) {
                rates.computeIfAbsent(group, g -> new TimeSeries(points)).add(nowMillis, Math.max(0, p[0] - before) / seconds);
            }
            lags.computeIfAbsent(group, g -> new TimeSeries(points)).add(nowMillis, p[1]);
            lastCommitted.put(group, p[0]);
        });
        lastMillis = nowMillis;
    }

    /** {@code "groups": {group: {"rate": {t, v}, "lag": {t, v}}}} and {@code "groupsProblem"} when the last sample failed. */
    @Override
    public synchronized void write(ObjectNode page) {
        ObjectNode groups = page.putObject("groups");
        lags.forEach((group, lag) -> {
            ObjectNode g = groups.putObject(group);
            lag.writeTo(g.putObject("lag"));
            TimeSeries rate = rates.get(group);
            if (rate != null) {
                rate.writeTo(g.putObject("rate"));
            }
        });
        if (problem != null) {
            page.put("groupsProblem", problem);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
