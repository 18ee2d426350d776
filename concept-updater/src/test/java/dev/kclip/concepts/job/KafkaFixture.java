package dev.kclip.concepts.job;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.TestTopics;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Per-test topics on the shared broker, producing input, reading outputs, and running the Kafka job. */
final class KafkaFixture {

    private final KafkaConnection connection;
    private final ConceptJobConfig.Topics topics;

    /** Creates fresh topics named {@code <name>-<random>.*}; the input has {@code inputPartitions}. */
    KafkaFixture(KafkaConnection connection, String name, int inputPartitions) throws Exception {
        this.connection = connection;
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.topics = new ConceptJobConfig.Topics(prefix + ".embeddings", prefix + ".examples", prefix + ".centroids",
                prefix + ".drift", prefix + ".dlq");
        try (Admin admin = Admin.create(connection.admin())) {
            admin.createTopics(List.of(
                    new NewTopic(topics.input(), inputPartitions, (short) 1),
                    new NewTopic(topics.labels(), 3, (short) 1),
                    new NewTopic(topics.centroids(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(topics.drift(), 1, (short) 1),
                    new NewTopic(topics.deadLetters(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TestTopics.awaitLeaders(admin, List.of(topics.input(), topics.labels(), topics.centroids(), topics.drift(),
                    topics.deadLetters()));
        }
    }

    KafkaConnection connection() {
        return connection;
    }

    ConceptJobConfig.Topics topics() {
        return topics;
    }

    /** A job configuration on these topics, with its own ids and checkpoint directories under {@code dir}. */
    ConceptJobConfig config(ConceptSettings settings, Path dir, String run) {
        return ConceptJobConfig.defaults()
                .withTopics(topics)
                .withIds(topics.input() + "-" + run, topics.input() + "-" + run)
                .withConcepts(settings)
                .withCheckpointing(Duration.ofMillis(500), dir.resolve("checkpoints").toUri().toString(),
                        dir.resolve("savepoints").toUri().toString())
                .withTransactionTimeout(Duration.ofMinutes(5))
                .withRestore(false, null)
                .withBounded(true);
    }

    /** Writes pairs to the input topic, keyed by pair id, in order. */
    void produce(List<EmbeddedPair> pairs) {
        produceRaw(pairs.stream().map(p -> new ProducerRecord<>(topics.input(), Embeddings.key(p),
                Embeddings.encode(p))).toList());
    }

    void produceRaw(List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = connection.producer();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> sent = records.stream().map(producer::send).toList();
            for (Future<RecordMetadata> result : sent) {
                try {
                    result.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("could not write the test input: " + e, e);
                }
            }
        }
    }

    /** Every committed record of {@code topic}, decoded (reads until {@code expected} or 3 s of silence). */
    <T extends SpecificRecord> List<T> read(String topic, Class<T> type, long expected) {
        AvroCodec<T> codec = AvroCodec.forClass(type);
        return TopicReader.readAll(connection, topic, expected, Duration.ofSeconds(3)).stream()
                .map(ConsumerRecord::value).map(codec::decode).toList();
    }

    /** Runs the Kafka job to the end of its bounded input on a local MiniCluster. */
    static void runToEnd(KafkaConnection connection, ConceptJobConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(),
                ConceptJob.flinkConfiguration(config, null));
        ConceptJob.buildKafkaJob(env, connection, config);
        env.execute("concepts-it");
    }
}
