package dev.kclip.concepts.job;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.RecordDecodingException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads centroid snapshots fed back from the snapshot topic. A record that is not a snapshot is skipped with a
 * warning: it is not pipeline data (nothing to dead-letter), and the next good snapshot supersedes it anyway.
 */
final class SnapshotDeserializer implements KafkaRecordDeserializationSchema<CentroidSnapshot> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDeserializer.class);

    private transient AvroCodec<CentroidSnapshot> codec;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = AvroCodec.forClass(CentroidSnapshot.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CentroidSnapshot> out) {
        try {
            out.collect(codec.decode(record.value()));
        } catch (RecordDecodingException e) {
            LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<CentroidSnapshot> getProducedType() {
        return ConceptTypes.CENTROID_SNAPSHOT;
    }
}
