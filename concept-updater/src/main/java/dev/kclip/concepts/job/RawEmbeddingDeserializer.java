package dev.kclip.concepts.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Passes Kafka records on as {@link RawEmbedding}s, bytes untouched (so nothing can fail in the source). */
final class RawEmbeddingDeserializer implements KafkaRecordDeserializationSchema<RawEmbedding> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEmbedding> out) {
        out.collect(new RawEmbedding(record.key(), record.value(), record.topic(), record.partition(),
                record.offset()));
    }

    @Override
    public TypeInformation<RawEmbedding> getProducedType() {
        return ConceptTypes.RAW_EMBEDDING;
    }
}
