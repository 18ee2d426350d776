package dev.kclip.teacher.service;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics, pairs and readers for the service's integration tests. */
final class ServiceTestKit {

    static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    static final AvroCodec<EmbeddedPair> EMBEDDED = AvroCodec.forClass(EmbeddedPair.class);
    static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.forClass(DeadLetter.class);

    private ServiceTestKit() {
    }

    /** Creates {@code name.pairs} and {@code name.embeddings} with {@code partitions}, and {@code name.dlq}. */
    static void createTopics(KafkaConnection kafka, String name, int partitions) {
        try (Admin admin = Admin.create(kafka.admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(
                    new TopicSpec(name + ".pairs", partitions, Map.of(), ImageCaptionPair.class, "pair id", "test input"),
                    new TopicSpec(name + ".embeddings", partitions, Map.of(), EmbeddedPair.class, "pair id", "test output"),
                    new TopicSpec(name + ".dlq", 1, Map.of(), DeadLetter.class, "key", "test dead letters")), 0);
        }
    }

    /** A pair with a small stand-in image (the teacher reads only the caption). */
    static ImageCaptionPair pair(String caption, int n) {
        byte[] image = ("image " + n).getBytes(StandardCharsets.UTF_8);
        return ImageCaptionPair.newBuilder()
                .setId(PairIds.contentHash(image, caption)).setCaption(caption).setImage(ByteBuffer.wrap(image))
                .setMediaType("image/png").setWidth(8).setHeight(8).setSource("test").setLabel(null)
                .setAttributes(Map.of()).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + n))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_000L + n)).build();
    }

    static void produce(KafkaConnection kafka, String topic, List<ImageCaptionPair> pairs) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (ImageCaptionPair p : pairs) {
            records.add(new ProducerRecord<>(topic, p.getId().getBytes(StandardCharsets.UTF_8), PAIRS.encode(p)));
        }
        produceRaw(kafka, records);
    }

    static void produceRaw(KafkaConnection kafka, List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = kafka.producer();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /** Every committed record of {@code topic}, read until nothing new arrives for {@code idle}. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConnection kafka, String topic, Duration idle) {
        return dev.kclip.common.kafka.TopicReader.readAll(kafka, topic, Long.MAX_VALUE, idle);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Follows a topic's committed records and collects their keys, for watching a service's progress. Not a
     * group member: it commits nothing.
     */
    static final class CommittedKeys implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Set<String> keys = new HashSet<>();
        private long records;

        CommittedKeys(KafkaConnection kafka, String topic, boolean readCommitted) {
            Properties props = kafka.consumer(null);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
            consumer = new KafkaConsumer<>(props);
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Reads what has arrived; returns the distinct keys seen so far. */
        int poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                keys.add(new String(r.key(), StandardCharsets.UTF_8));
                records++;
            }
            return keys.size();
        }

        long records() {
            return records;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
