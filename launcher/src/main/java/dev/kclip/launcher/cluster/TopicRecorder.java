package dev.kclip.launcher.cluster;

import dev.kclip.common.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every committed record of some topics as it arrives (read_committed, from the beginning, no group), with the
 * time it arrived: what the fault test counts by id and measures recovery against, and the scaling benchmark
 * times.
 */
public final class TopicRecorder implements AutoCloseable {

    /** One record as it arrived. */
    public record Seen(String topic, int partition, long offset, String key, byte[] value, long arrivedNanos) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Throwable failure;

    /** Starts reading every partition of {@code topics} from the beginning. */
    public TopicRecorder(KafkaConnection kafka, List<String> topics) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(kafka.admin())) {
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                    d.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
        }
        consumer = new KafkaConsumer<>(kafka.consumer(null), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "topic-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new Seen(r.topic(), r.partition(), r.offset(),
                            r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r.value(),
                            System.nanoTime()));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }

    /** Records of {@code topic} seen so far, in arrival order. */
    public List<Seen> of(String topic) {
        check();
        return seen.stream().filter(s -> s.topic().equals(topic)).toList();
    }

    /** Waits until a record of {@code topic} matching {@code condition} arrived; returns the first. */
    public Seen await(String topic, Predicate<Seen> condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Seen s : of(topic)) {
                if (condition.test(s)) {
                    return s;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private void check() {
        if (failure != null) {
            throw new IllegalStateException("the topic watch failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
    }
}
