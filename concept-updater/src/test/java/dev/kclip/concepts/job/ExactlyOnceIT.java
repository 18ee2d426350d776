package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure injected mid-stream, after a checkpoint completed and with records written since: the job restores
 * from the checkpoint, and the read_committed outputs hold each record exactly once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ExactlyOnceIT {

    private static final int VALID = 4_000;
    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicLong CHECKPOINTS_BEFORE_FAILURE = new AtomicLong();

    @TempDir
    Path dir;

    /** Slows the stream down so checkpoints happen, and fails once after the 1,500th record. */
    static final class FailOnceAfterCheckpoint implements MapFunction<RawEmbedding, RawEmbedding>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        private long seen;
        private long seenAtLastCheckpoint = -1;

        @Override
        public RawEmbedding map(RawEmbedding value) throws Exception {
            seen++;
            Thread.sleep(1);
            if (!FAILED.get() && seen >= 1_500 && seenAtLastCheckpoint >= 0 && seen - seenAtLastCheckpoint >= 200) {
                FAILED.set(true);
                throw new IllegalStateException("injected failure after record " + seen);
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            seenAtLastCheckpoint = seen;
            if (!FAILED.get()) {
                CHECKPOINTS_BEFORE_FAILURE.incrementAndGet();
            }
        }
    }

    @Test
    void restoreFromCheckpointWritesEveryRecordExactlyOnce(KafkaBroker broker) throws Exception {
        GaussianClusters.Sample sample = new GaussianClusters(6, 64, 0.02, 5).sample(VALID);
        KafkaFixture kafka = new KafkaFixture(broker.connection(), "exactly-once", 3);
        List<EmbeddedPair> pairs = new ArrayList<>();
        for (int i = 0; i < VALID; i++) {
            pairs.add(Embeddings.pair(Embeddings.id(i), sample.vectors().get(i), i));
        }
        kafka.produce(pairs);
        List<ProducerRecord<byte[], byte[]>> junk = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            junk.add(new ProducerRecord<>(kafka.topics().input(), ("junk-" + i).getBytes(), ("not avro " + i).getBytes()));
        }
        kafka.produceRaw(junk);

        ConceptSettings settings = ConceptSettings.defaults().withKMeans(KMeansSettings.defaults(6))
                .withBootstrapSize(500).withBatchSize(100);
        ConceptJobConfig config = kafka.config(settings, dir, "eos");
        Configuration conf = ConceptJob.flinkConfiguration(config, null);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DataStream<RawEmbedding> input = env
                .fromSource(ConceptJob.inputSource(kafka.connection(), config), WatermarkStrategy.noWatermarks(),
                        "embeddings")
                .map(new FailOnceAfterCheckpoint(), ConceptTypes.RAW_EMBEDDING);
        ConceptJob.build(input, null, settings, Map.of(), ConceptSinks.kafka(kafka.connection(), kafka.topics(),
                config.transactionalIdPrefix(), config.transactionTimeout()));
        env.execute("concepts-exactly-once-it");

        assertTrue(FAILED.get(), "the failure was injected");
        assertTrue(CHECKPOINTS_BEFORE_FAILURE.get() > 0, "a checkpoint completed before the failure");

        List<LabelledPair> labels = kafka.read(kafka.topics().labels(), LabelledPair.class, VALID + 1);
        Map<String, Long> perId = labels.stream().collect(Collectors.groupingBy(
                l -> l.getEmbedded().getPair().getId(), Collectors.counting()));
        Set<String> expected = new HashSet<>();
        pairs.forEach(p -> expected.add(p.getPair().getId()));
        assertEquals(expected, perId.keySet());
        assertEquals(VALID, labels.size(), "exactly one label per input id");

        List<DeadLetter> dead = kafka.read(kafka.topics().deadLetters(), DeadLetter.class, 11);
        assertEquals(10, dead.size());
        assertEquals(10, dead.stream().map(DeadLetter::getOriginalKey).distinct().count());
        assertTrue(dead.stream().allMatch(d -> d.getReasonCode().equals("BAD_RECORD")));

        // restored state, not a second bootstrap: every version appears once
        List<Long> versions = kafka.read(kafka.topics().centroids(), CentroidSnapshot.class, Long.MAX_VALUE).stream()
                .map(CentroidSnapshot::getVersion).toList();
        assertEquals(versions.size(), new HashSet<>(versions).size(), "duplicate versions " + versions);

        // the failed attempt did write records, in transactions that were aborted: read_uncommitted sees them
        assertTrue(countUncommitted(kafka, kafka.topics().labels()) > VALID, "the failure aborted written records");
    }

    private static long countUncommitted(KafkaFixture kafka, String topic) {
        Properties props = kafka.connection().consumer(null);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int idle = 0;
            while (idle < 10) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                count += records.count();
                idle = records.isEmpty() ? idle + 1 : 0;
            }
        }
        return count;
    }
}
