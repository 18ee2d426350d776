package dev.kclip.concepts.job;

import dev.kclip.schemas.serde.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one of our Avro records to a topic in single-object encoding, with a key and a record timestamp taken
 * from the record (so readers can seek by time, which the parallel path's snapshot feedback does).
 */
final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Class<T> type;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, Long> timestamp;
    private transient AvroCodec<T> codec;

    AvroRecordSerializer(String topic, Class<T> type, SerializableFunction<T, byte[]> key,
            SerializableFunction<T, Long> timestamp) {
        this.topic = topic;
        this.type = type;
        this.key = key;
        this.timestamp = timestamp;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        codec = AvroCodec.forClass(type);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long flinkTimestamp) {
        return new ProducerRecord<>(topic, null, timestamp.apply(element), key.apply(element), codec.encode(element));
    }
}
