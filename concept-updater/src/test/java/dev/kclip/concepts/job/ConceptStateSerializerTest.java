package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.stream.ConceptState;
import dev.kclip.concepts.stream.ConceptStream;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The keyed state's Flink serializer: the Avro bytes of the state, behind their length. */
class ConceptStateSerializerTest {

    private static final ConceptStream.Outputs DISCARD = new ConceptStream.Outputs() {
        @Override
        public void label(LabelledPair label) {
        }

        @Override
        public void snapshot(CentroidSnapshot snapshot) {
        }

        @Override
        public void drift(DriftReport report) {
        }

        @Override
        public void rejected(DeadLetter letter) {
        }
    };

    /** A state with a model, pending records and concept ids. */
    private static ConceptState trained() {
        ConceptSettings settings = ConceptSettings.defaults().withKMeans(KMeansSettings.defaults(3))
                .withBootstrapSize(30).withBatchSize(50);
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.empty());
        List<float[]> vectors = new GaussianClusters(3, 8, 0.02, 1).sample(60).vectors();
        for (int i = 0; i < vectors.size(); i++) {
            stream.onRecord(new EmbeddingInput(Embeddings.pair(Embeddings.id(i), vectors.get(i), i), "in", 0, i),
                    Instant.EPOCH, DISCARD);
        }
        return stream.state();
    }

    @Test
    void serializesAndCopiesTheSameBytes() throws Exception {
        ConceptStateSerializer serializer = new ConceptStateSerializer();
        ConceptState state = trained();
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(state, out);
        serializer.serialize(state, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        ConceptState read = serializer.deserialize(in);
        assertArrayEquals(state.encode(), read.encode());
        assertEquals(List.of(0L, 1L, 2L), read.conceptIds());
        assertTrue(read.model().version() >= 1);

        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(in, copied);
        assertArrayEquals(state.encode(), serializer.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer()))
                .encode());

        ConceptState copy = serializer.copy(state);
        assertNotSame(state, copy);
        assertArrayEquals(state.encode(), copy.encode());
    }

    @Test
    void aRestoredSerializerIsCompatibleAsIs() {
        ConceptStateSerializer serializer = new ConceptStateSerializer();
        TypeSerializerSchemaCompatibility<ConceptState> compatibility = serializer.snapshotConfiguration()
                .resolveSchemaCompatibility(new ConceptStateSerializer().snapshotConfiguration());
        assertTrue(compatibility.isCompatibleAsIs());
        assertEquals(serializer, serializer.snapshotConfiguration().restoreSerializer());
    }
}
