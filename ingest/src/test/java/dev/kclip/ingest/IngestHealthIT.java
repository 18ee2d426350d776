package dev.kclip.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure that comes back after every stream thread replacement (here: the output producer refuses every record
 * as too large, as a 9 MB record id once did) turns {@code /health} DOWN with the reason, instead of UP for ever
 * while the threads are replaced in a loop.
 */
@ExtendWith(KafkaBrokerExtension.class)
class IngestHealthIT {

    @TempDir
    Path stateDir;

    @Test
    void aStreamThreadFailingAfterEveryReplacementTurnsTheStageDownWithTheReason(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        IngestTopics topics = IngestItSupport.uniqueTopics("health");
        IngestItSupport.createTopics(kafka, topics);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.input(), "p1".getBytes(StandardCharsets.UTF_8),
                    TestPairs.raw(TestImages.jpeg(TestImages.halves(64, 64, Color.RED, Color.BLUE)), "red and blue"))).get();
        }
        // a replaced thread's consumer does not leave the group: the short session lets its successor in sooner
        IngestConfig config = IngestItSupport.config(topics, stateDir).withStreamsOverrides(Map.of(
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), "200",
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000",
                StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000"));

        try (IngestService service = IngestService.start(config, kafka, new SimpleMeterRegistry(),
                new FailureWindow.Policy(2, Duration.ofMinutes(5)))) {
            Health health = awaitNotUp(service, Health.Status.DOWN, Duration.ofSeconds(120));
            assertEquals(Health.Status.DOWN, health.status(), health.detail());
            assertTrue(health.detail().contains("2 stream thread replacements in the last 5 min"), health.detail());
            assertTrue(health.detail().contains("RecordTooLargeException"), health.detail());
        }
    }

    private static Health awaitNotUp(IngestService service, Health.Status wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Health health = service.health();
        while (health.status() != wanted && System.nanoTime() < deadline) {
            Thread.sleep(100);
            health = service.health();
        }
        return health;
    }
}
