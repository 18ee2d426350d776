package dev.kclip.concepts.job;

import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.stream.ConceptIds;
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
 * Reads centroid snapshots fed back from the snapshot topic. A record that is not a snapshot, or a snapshot no model
 * can be made of (sizes that do not match K and D, unknown names), is skipped with a warning: it is not pipeline
 * data (nothing to dead-letter), the next good snapshot supersedes it anyway, and passed on it would fail the
 * assigners on every restart.
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
        CentroidSnapshot snapshot;
        try {
            snapshot = codec.decode(record.value());
        } catch (RecordDecodingException e) {
            LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        String problem = problem(snapshot);
        if (problem != null) {
            LOG.warn("skipping snapshot {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), problem);
            return;
        }
        out.collect(snapshot);
    }

    /** Why no model can be made of the snapshot, or null. */
    static String problem(CentroidSnapshot snapshot) {
        // long: K * D * 4 overflows int for hostile sizes, and a wrapped product can match an empty buffer
        long expected = (long) snapshot.getConceptCount() * snapshot.getDim() * Float.BYTES;
        if (snapshot.getConceptCount() < 1 || snapshot.getDim() < 1 || snapshot.getCentroids().remaining() != expected) {
            return "K=" + snapshot.getConceptCount() + ", D=" + snapshot.getDim() + " with "
                    + snapshot.getCentroids().remaining() + " bytes of centroids";
        }
        try {
            CentroidSnapshots.toModel(snapshot);
            ConceptIds.of(snapshot);
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Override
    public TypeInformation<CentroidSnapshot> getProducedType() {
        return ConceptTypes.CENTROID_SNAPSHOT;
    }
}
