package dev.kclip.ingest.push;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends raw pairs to a topic, keyed by pair id (so one id always lands in one partition, where ingest
 * de-duplicates it), Avro single-object encoded, idempotently with {@code acks=all}. Thread-safe.
 */
public final class RawPairProducer implements AutoCloseable {

    /** Larger records are refused before sending: what a topic accepts, minus room for batch overhead. */
    public static final int MAX_RECORD_BYTES = Topics.MAX_RECORD_BYTES;

    private static final AvroCodec<ImageCaptionPair> CODEC = AvroCodec.forClass(ImageCaptionPair.class);

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;

    /**
     * @param overrides extra producer properties (e.g. {@code max.block.ms}), applied last
     */
    public RawPairProducer(KafkaConnection kafka, String topic, Properties overrides) {
        this.topic = topic;
        Properties props = kafka.producer();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.putAll(overrides);
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public String topic() {
        return topic;
    }

    /** The bytes {@link #send} would write for {@code pair}. */
    public static byte[] encode(ImageCaptionPair pair) {
        return CODEC.encode(pair);
    }

    /**
     * Sends an encoded pair; the future completes when the broker has it.
     *
     * @throws IllegalArgumentException when the record is larger than {@link #MAX_RECORD_BYTES}
     */
    public CompletableFuture<RecordMetadata> send(String id, byte[] value) {
        if (value.length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("record of " + value.length + " bytes is larger than the "
                    + MAX_RECORD_BYTES + " bytes Kafka accepts");
        }
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value), (metadata, error) -> {
            if (error != null) {
                acked.completeExceptionally(error);
            } else {
                acked.complete(metadata);
            }
        });
        return acked;
    }

    /** Blocks until every record sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    /**
     * Fails fast, with a message saying what to do, when {@code topic} does not exist (the broker does not create
     * topics on first use, and the producer would otherwise wait a minute for it); waits until every partition's
     * leader serves requests. A producer writing to a topic created a moment ago can otherwise see its first batch
     * refused (not leader yet) and a later one accepted, and then retry the first out of sequence until it times out.
     */
    public static void requireTopic(KafkaConnection kafka, String topic) {
        try (Admin admin = Admin.create(kafka.admin())) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            // answered by each partition's leader; the admin client retries until the leaders are ready
            admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("topic " + topic + " does not exist: create it with `kclip topics "
                        + "create`, or start `kclip ingest`, which creates its topics");
            }
            throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not answer within a minute", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
