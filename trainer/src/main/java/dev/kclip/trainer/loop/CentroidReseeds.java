package dev.kclip.trainer.loop;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which concepts the concept updater reseeded in which centroid version, read from {@code kclip.concepts.centroids}
 * (compacted: older snapshots may be gone, so the record is best effort). Polled by the training thread, never
 * blocking it for long.
 */
final class CentroidReseeds implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CentroidReseeds.class);
    private static final AvroSerde<CentroidSnapshot> SERDE = new AvroSerde<>(CentroidSnapshot.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Map<String, TreeMap<Long, List<Integer>>> byTeacher = new HashMap<>();

    private CentroidReseeds(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        this.topic = topic;
    }

    /** Reads {@code topic} from its beginning; null (with a warning) when it does not exist. */
    static CentroidReseeds open(KafkaConnection kafka, String topic) {
        Properties props = kafka.consumer(null);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (partitions == null || partitions.isEmpty()) {
            LOG.warn("topic {} does not exist: the classifier follows K but cannot know which concepts were reseeded", topic);
            consumer.close();
            return null;
        }
        List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        return new CentroidReseeds(consumer, topic);
    }

    /** Reads whatever snapshots have arrived, waiting at most {@code wait}. */
    void poll(Duration wait) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
            if (record.value() == null) {
                continue;
            }
            try {
                CentroidSnapshot snapshot = SERDE.deserialize(topic, record.value());
                byTeacher.computeIfAbsent(snapshot.getTeacherModelId(), t -> new TreeMap<>())
                        .put(snapshot.getVersion(), List.copyOf(snapshot.getReseeded()));
            } catch (RecordDecodingException e) {
                LOG.warn("skipping an unreadable centroid snapshot at {}-{}@{}: {}", topic, record.partition(),
                        record.offset(), e.getMessage());
            }
        }
    }

    /** True once the snapshot of {@code version} has been read. */
    boolean knows(String teacherModelId, long version) {
        TreeMap<Long, List<Integer>> versions = byTeacher.get(teacherModelId);
        return versions != null && versions.containsKey(version);
    }

    /** Concepts reseeded in versions {@code (fromExclusive, toInclusive]} that have been read. */
    Set<Integer> reseededBetween(String teacherModelId, long fromExclusive, long toInclusive) {
        Set<Integer> reseeded = new HashSet<>();
        TreeMap<Long, List<Integer>> versions = byTeacher.get(teacherModelId);
        if (versions != null) {
            versions.subMap(fromExclusive, false, toInclusive, true).values().forEach(reseeded::addAll);
        }
        return reseeded;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
