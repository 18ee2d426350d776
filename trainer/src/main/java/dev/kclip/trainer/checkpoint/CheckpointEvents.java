package dev.kclip.trainer.checkpoint;

import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.serde.AvroSerde;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The {@link CheckpointEvent} announcing a checkpoint on {@code kclip.model.checkpoints}. */
public final class CheckpointEvents {

    private static final AvroSerde<CheckpointEvent> SERDE = new AvroSerde<>(CheckpointEvent.class);

    private CheckpointEvents() {
    }

    /** The event for a written checkpoint: its location, counters, offsets, losses and metrics. */
    public static CheckpointEvent of(StoredCheckpoint checkpoint) {
        return of(checkpoint, null);
    }

    /**
     * The event for a written checkpoint served at {@code baseUrl} (its store's URL on a {@link CheckpointServer}):
     * located at {@code baseUrl/vNNNNNN/}; at its {@code file:} directory when {@code baseUrl} is null.
     */
    public static CheckpointEvent of(StoredCheckpoint checkpoint, URI baseUrl) {
        CheckpointManifest m = checkpoint.manifest();
        Map<String, Double> metrics = new LinkedHashMap<>();
        m.losses().forEach((name, value) -> metrics.put("loss_" + name, value));
        metrics.putAll(m.metrics());
        return CheckpointEvent.newBuilder()
                .setRunId(m.runId())
                .setVersion(m.version())
                .setStep(m.step())
                .setLocation(baseUrl == null ? checkpoint.directory().toUri().toString()
                        : baseUrl.resolve(checkpoint.directory().getFileName() + "/").toString())
                .setExamplesConsumed(m.examplesConsumed())
                .setExamplesTrained(m.examplesTrained())
                .setOffsets(new LinkedHashMap<>(m.offsets()))
                .setTeacherModelId(m.teacherModelId())
                .setCentroidVersion(m.centroidVersion())
                .setMetrics(metrics)
                .setManifestSha256(checkpoint.manifestSha256())
                .setCreatedTime(Instant.parse(m.createdTime()))
                .build();
    }

    /** The record to send, keyed {@code runId/version} (the topic is compacted per key). */
    public static ProducerRecord<byte[], byte[]> toRecord(String topic, CheckpointEvent event) {
        byte[] key = (event.getRunId() + "/" + event.getVersion()).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, key, SERDE.serialize(topic, event));
    }

    /** Decodes an event read from the topic. */
    public static CheckpointEvent decode(String topic, byte[] value) {
        return SERDE.deserialize(topic, value);
    }
}
