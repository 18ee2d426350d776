package dev.kclip.concepts.job;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.AvroBytes;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where the job's four outputs go. {@link #kafka} gives the production sinks; tests may pass others.
 *
 * @param labels LabelledPair records (kclip.train.examples)
 * @param snapshots CentroidSnapshot records (kclip.concepts.centroids)
 * @param driftReports DriftReport records (kclip.concepts.drift)
 * @param deadLetters rejected input (kclip.pairs.dlq)
 */
public record ConceptSinks(Sink<LabelledPair> labels, Sink<CentroidSnapshot> snapshots,
        Sink<DriftReport> driftReports, Sink<DeadLetter> deadLetters) {

    /**
     * Exactly-once Kafka sinks: each writes in Kafka transactions that commit when a Flink checkpoint completes,
     * so a read_committed consumer sees every output once, after the checkpoint that covers it. Transactional
     * ids are {@code <prefix>-labels}, {@code -centroids}, {@code -drift}, {@code -dlq}; the transaction timeout
     * must not exceed the broker's {@code transaction.max.timeout.ms} (15 min by default in Kafka, 1 h on the
     * embedded broker) and must exceed the checkpoint interval plus the time a restart may take.
     */
    public static ConceptSinks kafka(KafkaConnection connection, ConceptJobConfig.Topics topics,
            String transactionalIdPrefix, Duration transactionTimeout) {
        return new ConceptSinks(
                sink(connection, topics.labels(), LabelledPair.class,
                        r -> utf8(r.getEmbedded().getPair().getId()), r -> r.getLabelledTime().toEpochMilli(),
                        transactionalIdPrefix + "-labels", transactionTimeout),
                sink(connection, topics.centroids(), CentroidSnapshot.class,
                        r -> utf8(r.getTeacherModelId()), r -> r.getCreatedTime().toEpochMilli(),
                        transactionalIdPrefix + "-centroids", transactionTimeout),
                sink(connection, topics.drift(), DriftReport.class,
                        r -> utf8(r.getTeacherModelId()), r -> r.getCreatedTime().toEpochMilli(),
                        transactionalIdPrefix + "-drift", transactionTimeout),
                sink(connection, topics.deadLetters(), DeadLetter.class,
                        r -> r.getOriginalKey() == null ? null : AvroBytes.toArray(r.getOriginalKey()),
                        r -> r.getTime().toEpochMilli(),
                        transactionalIdPrefix + "-dlq", transactionTimeout));
    }

    private static <T extends SpecificRecord> Sink<T> sink(KafkaConnection connection, String topic, Class<T> type,
            SerializableFunction<T, byte[]> key, SerializableFunction<T, Long> timestamp, String transactionalId,
            Duration transactionTimeout) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(connection.producer())
                .setBootstrapServers(connection.bootstrapServers())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalId)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeout.toMillis()))
                .setRecordSerializer(new AvroRecordSerializer<>(topic, type, key, timestamp))
                .build();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
