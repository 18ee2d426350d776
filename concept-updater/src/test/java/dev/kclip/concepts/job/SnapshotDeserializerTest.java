package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Snapshots fed back to the job: the good ones pass, those no model can be made of are skipped. */
class SnapshotDeserializerTest {

    private static final AvroCodec<CentroidSnapshot> CODEC = AvroCodec.forClass(CentroidSnapshot.class);

    @Test
    void snapshotsNoModelCanBeMadeOfAreSkippedAndGoodOnesPass() {
        CentroidSnapshot good = snapshot(2, 2, Float32Vectors.encode(new float[] {1, 0, 0, 1}), List.of());
        // 65536 x 65536 x 4 bytes wraps an int product to 0, which an empty buffer matches
        CentroidSnapshot wrapped = snapshot(1 << 16, 1 << 16, ByteBuffer.allocate(0), List.of());
        CentroidSnapshot shortRows = snapshot(2, 3, Float32Vectors.encode(new float[] {1, 0, 0, 1}), List.of());
        CentroidSnapshot wrongIds = snapshot(2, 2, Float32Vectors.encode(new float[] {1, 0, 0, 1}), List.of(7L));
        List<CentroidSnapshot> out = new ArrayList<>();
        SnapshotDeserializer deserializer = new SnapshotDeserializer();
        deserializer.open(null);
        List<byte[]> values = new ArrayList<>();
        for (CentroidSnapshot s : List.of(wrapped, shortRows, wrongIds, good)) {
            values.add(CODEC.encode(s));
        }
        values.add(null);
        values.add(new byte[] {1, 2, 3});
        for (byte[] value : values) {
            deserializer.deserialize(new ConsumerRecord<>("centroids", 0, 0L, null, value), new Collector<>() {
                @Override
                public void collect(CentroidSnapshot record) {
                    out.add(record);
                }

                @Override
                public void close() {
                }
            });
        }
        assertEquals(List.of(good), out);
        assertNull(SnapshotDeserializer.problem(good));
        assertTrue(SnapshotDeserializer.problem(wrapped).contains("0 bytes of centroids"), SnapshotDeserializer.problem(wrapped));
    }

    private static CentroidSnapshot snapshot(int k, int dim, ByteBuffer centroids, List<Long> ids) {
        float[] weights = new float[Math.min(k, 2)];
        java.util.Arrays.fill(weights, 1f);
        return CentroidSnapshot.newBuilder()
                .setTeacherModelId("t").setVersion(1).setConceptCount(k).setDim(dim).setCentroids(centroids)
                .setWeights(Float32Vectors.encode(weights)).setDistance("COSINE").setKernel("GAUSSIAN")
                .setTemperature(0.25).setRecordsSeen(10).setConceptIds(ids).setCreatedTime(Instant.EPOCH)
                .build();
    }
}
