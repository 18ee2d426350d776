package dev.kclip.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class EmbeddedBrokerRoundTripIT {

    private static final int RECORDS = 10_000;

    @Test
    void tenThousandPairsComeBackByteIdenticalInOrderPerPartition(KafkaBroker kafka) throws Exception {
        TopicSpec topic = new TopicSpec("roundtrip.pairs", 3, Topics.PAIRS.config(), ImageCaptionPair.class,
                "pair id", "test");
        try (Admin admin = Admin.create(kafka.connection().admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(topic), 0);
        }
        AvroSerde<ImageCaptionPair> serde = new AvroSerde<>(ImageCaptionPair.class);
        Random random = new Random(7);
        Map<Integer, List<byte[]>> sentPerPartition = new HashMap<>();
        Properties props = kafka.connection().producer();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                byte[] image = new byte[200 + random.nextInt(800)];
                random.nextBytes(image);
                String caption = "caption number " + i;
                ImageCaptionPair pair = ImageCaptionPair.newBuilder()
                        .setId(PairIds.contentHash(image, caption)).setCaption(caption)
                        .setImage(ByteBuffer.wrap(image)).setMediaType("image/png").setWidth(8).setHeight(8)
                        .setSource("test").setEventTime(Instant.ofEpochMilli(i)).setIngestTime(Instant.ofEpochMilli(i))
                        .build();
                byte[] value = serde.serialize(topic.name(), pair);
                values.add(value);
                acks.add(producer.send(new ProducerRecord<>(topic.name(), pair.getId(), value)));
            }
            for (int i = 0; i < RECORDS; i++) {
                int partition = acks.get(i).get().partition();
                sentPerPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(values.get(i));
            }
        }

        List<ConsumerRecord<byte[], byte[]>> read =
                TopicReader.readAll(kafka.connection(), topic.name(), RECORDS, Duration.ofSeconds(20));

        assertEquals(RECORDS, read.size());
        assertEquals(3, sentPerPartition.size(), "keys spread over every partition");
        Map<Integer, List<byte[]>> readPerPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : read) {
            readPerPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
        }
        for (Map.Entry<Integer, List<byte[]>> sent : sentPerPartition.entrySet()) {
            List<byte[]> got = readPerPartition.get(sent.getKey());
            assertEquals(sent.getValue().size(), got.size(), "partition " + sent.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(sent.getValue().get(i), got.get(i), "partition " + sent.getKey() + " position " + i);
            }
        }
        ImageCaptionPair first = serde.deserialize(topic.name(), read.get(0).value());
        assertTrue(first.getCaption().startsWith("caption number "));
    }

    @Test
    void creatingTheCatalogTwiceIsIdempotent(KafkaBroker kafka) {
        try (Admin admin = Admin.create(kafka.connection().admin())) {
            TopicCatalogAdmin catalog = new TopicCatalogAdmin(admin);
            catalog.ensure(Topics.ALL, 0);
            List<TopicCatalogAdmin.Outcome> second = catalog.ensure(Topics.ALL, 0);

            assertTrue(second.stream().noneMatch(TopicCatalogAdmin.Outcome::created));
            List<TopicCatalogAdmin.Described> described = catalog.describe(Topics.ALL);
            for (TopicCatalogAdmin.Described d : described) {
                assertTrue(d.exists(), d.spec().name());
                assertEquals(d.spec().partitions(), d.partitions(), d.spec().name());
            }
        }
    }
}
