package dev.kclip.trainer.checkpoint;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back on every new checkpoint a trainer publishes. On start it catches up: of the events already on
 * {@code kclip.model.checkpoints} it delivers only the newest of each run; then every new one as it arrives, in
 * order. Runs on its own thread; reads committed events only and joins no group.
 *
 * <pre>{@code
 * try (CheckpointSubscriber s = CheckpointSubscriber.start(kafka, "kclip-trainer",
 *         event -> System.out.println("new weights: " + event.getLocation()))) {
 *     ...
 * }
 * }</pre>
 */
public final class CheckpointSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointSubscriber.class);
    private static final String TOPIC = Topics.CHECKPOINTS.name();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String runId;
    private final Consumer<CheckpointEvent> callback;
    private final Thread thread;
    private volatile boolean closed;

    private CheckpointSubscriber(KafkaConsumer<byte[], byte[]> consumer, String runId, Consumer<CheckpointEvent> callback) {
        this.consumer = consumer;
        this.runId = runId;
        this.callback = callback;
        this.thread = new Thread(this::run, "kclip-checkpoint-subscriber");
        this.thread.setDaemon(true);
    }

    /**
     * Starts listening.
     *
     * @param runId deliver only this run's checkpoints, or null for every run
     * @param callback called on the subscriber's thread, one event at a time; an exception it throws is logged
     * @throws IllegalArgumentException when the topic does not exist
     */
    public static CheckpointSubscriber start(KafkaConnection kafka, String runId, Consumer<CheckpointEvent> callback) {
        Properties props = kafka.consumer(null);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        List<PartitionInfo> infos = consumer.partitionsFor(TOPIC, Duration.ofSeconds(15));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalArgumentException("topic " + TOPIC + " does not exist; create the topics first (kclip topics create)");
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        CheckpointSubscriber subscriber = new CheckpointSubscriber(consumer, runId, callback);
        subscriber.thread.start();
        return subscriber;
    }

    private void run() {
        try {
            catchUp();
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    CheckpointEvent event = decode(record);
                    if (event != null) {
                        deliver(event);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("checkpoint subscriber stopped: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    /** Reads up to the current end and delivers the newest event per run. */
    private void catchUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        Map<String, CheckpointEvent> newest = new LinkedHashMap<>();
        Map<TopicPartition, Long> position = new HashMap<>();
        while (!closed && end.entrySet().stream().anyMatch(e -> position.getOrDefault(e.getKey(), 0L) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                CheckpointEvent event = decode(record);
                if (event != null) {
                    newest.merge(event.getRunId(), event, (a, b) -> b.getVersion() > a.getVersion() ? b : a);
                }
            }
            for (TopicPartition tp : end.keySet()) {
                position.put(tp, consumer.position(tp));
            }
        }
        newest.values().forEach(this::deliver);
    }

    private void deliver(CheckpointEvent event) {
        if (runId != null && !runId.equals(event.getRunId())) {
            return;
        }
        try {
            callback.accept(event);
        } catch (RuntimeException e) {
            LOG.error("checkpoint callback failed for {} version {}: {}", event.getRunId(), event.getVersion(), e.toString(), e);
        }
    }

    private static CheckpointEvent decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return CheckpointEvents.decode(record.topic(), record.value());
        } catch (RecordDecodingException e) {
            LOG.warn("skipping an unreadable checkpoint event at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    /** Stops listening and waits for the thread. */
    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
