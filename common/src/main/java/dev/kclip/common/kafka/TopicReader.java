package dev.kclip.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic without joining a consumer group (no offsets are committed), committed data only. Used by
 * {@code kclip tail} and by tests that check what a stage wrote.
 */
public final class TopicReader {

    private TopicReader() {
    }

    /**
     * Reads raw records of {@code topic}, from the beginning or from the end, handing each to {@code sink} until
     * the sink returns false, {@code max} records were read, or nothing arrived for {@code idleTimeout}.
     *
     * @return how many records were handed to the sink
     */
    public static long read(KafkaConnection connection, String topic, boolean fromBeginning, long max,
            Duration idleTimeout, Predicate<ConsumerRecord<byte[], byte[]>> sink) {
        Properties props = connection.consumer(null);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = partitions(consumer, topic, idleTimeout);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            long idleSince = System.nanoTime();
            while (count < max) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (System.nanoTime() - idleSince > idleTimeout.toNanos()) {
                        break;
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    count++;
                    if (!sink.test(record) || count >= max) {
                        return count;
                    }
                }
            }
        }
        return count;
    }

    /** All committed records of {@code topic}, read until {@code expected} arrived or nothing came for {@code idleTimeout}. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConnection connection, String topic,
            long expected, Duration idleTimeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        read(connection, topic, true, expected, idleTimeout, records::add);
        return records;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, Duration wait) {
        long deadline = System.nanoTime() + Math.max(wait.toNanos(), Duration.ofSeconds(5).toNanos());
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
