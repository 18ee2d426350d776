package dev.kclip.trainer.testdata;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.trainer.data.TrainingExample;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test examples as the concept updater writes them to kclip.train.examples. */
public final class LabelledPairs {

    public static final AvroSerde<LabelledPair> SERDE = new AvroSerde<>(LabelledPair.class);

    private LabelledPairs() {
    }

    /** The record for an example, labelled over {@code softLabel} by centroid version {@code version}, without ids. */
    public static LabelledPair of(TrainingExample e, float[] softLabel, long version) {
        return of(e, softLabel, version, List.of());
    }

    /** The record for an example, labelled over concepts {@code conceptIds} (empty: none named). */
    public static LabelledPair of(TrainingExample e, float[] softLabel, long version, List<Long> conceptIds) {
        Instant now = Instant.now();
        ImageCaptionPair pair = ImageCaptionPair.newBuilder().setId(e.id()).setCaption(e.caption())
                .setImage(ByteBuffer.wrap(e.image())).setMediaType("image/png").setWidth(64).setHeight(64)
                .setSource("emoji-64").setLabel(e.label()).setAttributes(Map.of()).setEventTime(now).setIngestTime(now)
                .build();
        EmbeddedPair embedded = EmbeddedPair.newBuilder().setPair(pair).setTeacherModelId(e.teacherModelId())
                .setEmbedding(Float32Vectors.encode(e.teacher())).setDim(e.teacher().length).setTokenCount(4)
                .setTruncated(false).setEmbeddedTime(now).build();
        int top = 0;
        for (int k = 1; k < softLabel.length; k++) {
            if (softLabel[k] > softLabel[top]) {
                top = k;
            }
        }
        return LabelledPair.newBuilder().setEmbedded(embedded).setSoftLabel(Float32Vectors.encode(softLabel))
                .setConceptCount(softLabel.length).setTopConcept(top).setCentroidVersion(version).setLabelledTime(now)
                .setConceptIds(conceptIds).build();
    }

    /** The record for an example with its own label. */
    public static LabelledPair of(TrainingExample e) {
        return of(e, e.softLabel(), e.centroidVersion(),
                Arrays.stream(e.conceptIds()).boxed().toList());
    }

    /** Sends values (already encoded) keyed by pair id, and waits for them all. */
    public static void send(KafkaConnection kafka, String topic, List<Map.Entry<String, byte[]>> keyedValues) {
        Properties props = kafka.producer();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (Map.Entry<String, byte[]> kv : keyedValues) {
                producer.send(new ProducerRecord<>(topic, kv.getKey().getBytes(StandardCharsets.UTF_8), kv.getValue()));
            }
            producer.flush();
        }
    }

    /** Encodes examples for {@link #send}. */
    public static List<Map.Entry<String, byte[]>> encoded(List<TrainingExample> examples) {
        return examples.stream().map(e -> Map.entry(e.id(), SERDE.serialize("t", of(e)))).toList();
    }
}
