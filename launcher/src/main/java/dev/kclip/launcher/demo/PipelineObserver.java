package dev.kclip.launcher.demo;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.AvroBytes;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches the pipeline from the outside, as a user would: reads every topic (committed records only) and keeps
 * what the live view and the report show — ids seen per stage, dead letters by stage and reason, centroid
 * snapshots, drift reports, checkpoint events, and a few example images and captions per concept.
 */
final class PipelineObserver implements AutoCloseable {

    /** Examples kept per concept for the report's grid. */
    static final int EXAMPLES_PER_CONCEPT = 8;

    /** One labelled example, as the report shows it. */
    record Example(String caption, byte[] image, String mediaType) {
    }

    /** Where and when a labelled example was committed, for freshness. */
    record Labelled(String id, int partition, long offset, long ingestMillis, long labelledMillis) {
    }

    private static final List<String> TOPICS = List.of(Topics.PAIRS.name(), Topics.DEAD_LETTERS.name(),
            Topics.TEACHER_EMBEDDINGS.name(), Topics.TRAIN_EXAMPLES.name(), Topics.CENTROIDS.name(),
            Topics.DRIFT.name(), Topics.CHECKPOINTS.name());

    private final AvroSerde<LabelledPair> labelled = new AvroSerde<>(LabelledPair.class);
    private final AvroSerde<DeadLetter> deadLetters = new AvroSerde<>(DeadLetter.class);
    private final AvroSerde<CentroidSnapshot> centroids = new AvroSerde<>(CentroidSnapshot.class);
    private final AvroSerde<DriftReport> drift = new AvroSerde<>(DriftReport.class);
    private final AvroSerde<CheckpointEvent> checkpoints = new AvroSerde<>(CheckpointEvent.class);

    private final KafkaConnection kafka;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);

    // guarded by this
    private final Map<String, Set<String>> idsByTopic = new HashMap<>();
    private final Map<String, Long> deadLettersByStage = new TreeMap<>();
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final List<CentroidSnapshot> snapshots = new ArrayList<>();
    private final List<DriftReport> reports = new ArrayList<>();
    private final List<CheckpointEvent> events = new ArrayList<>();
    private final Map<Integer, List<Example>> examplesByConcept = new TreeMap<>();
    private final Map<Integer, List<String>> captionsByConcept = new TreeMap<>();
    private final List<Labelled> labelledRecords = new ArrayList<>();
    private RuntimeException failure;

    PipelineObserver(KafkaConnection kafka) {
        this.kafka = kafka;
        this.thread = new Thread(this::run, "kclip-demo-observer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        Properties props = kafka.consumer(null);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : TOPICS) {
                for (PartitionInfo p : consumer.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                failure = e;
            }
        }
    }

    private synchronized void accept(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        if (record.key() != null && !topic.equals(Topics.DEAD_LETTERS.name())) {
            idsByTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            if (topic.equals(Topics.DEAD_LETTERS.name())) {
                DeadLetter letter = deadLetters.deserialize(topic, record.value());
                deadLettersByStage.merge(letter.getStage(), 1L, Long::sum);
                deadLettersByReason.merge(letter.getStage() + "/" + letter.getReasonCode(), 1L, Long::sum);
            } else if (topic.equals(Topics.TRAIN_EXAMPLES.name())) {
                LabelledPair pair = labelled.deserialize(topic, record.value());
                labelledRecords.add(new Labelled(pair.getEmbedded().getPair().getId(), record.partition(),
                        record.offset(), pair.getEmbedded().getPair().getIngestTime().toEpochMilli(),
                        pair.getLabelledTime().toEpochMilli()));
                int concept = pair.getTopConcept();
                List<Example> examples = examplesByConcept.computeIfAbsent(concept, c -> new ArrayList<>());
                if (examples.size() < EXAMPLES_PER_CONCEPT) {
                    examples.add(new Example(pair.getEmbedded().getPair().getCaption(),
                            AvroBytes.toArray(pair.getEmbedded().getPair().getImage()),
                            pair.getEmbedded().getPair().getMediaType()));
                }
                List<String> captions = captionsByConcept.computeIfAbsent(concept, c -> new ArrayList<>());
                if (captions.size() < 64) {
                    captions.add(pair.getEmbedded().getPair().getCaption());
                }
            } else if (topic.equals(Topics.CENTROIDS.name())) {
                snapshots.add(centroids.deserialize(topic, record.value()));
            } else if (topic.equals(Topics.DRIFT.name())) {
                reports.add(drift.deserialize(topic, record.value()));
            } else if (topic.equals(Topics.CHECKPOINTS.name())) {
                events.add(checkpoints.deserialize(topic, record.value()));
            }
        } catch (RecordDecodingException e) {
            deadLettersByReason.merge("observer/UNREADABLE " + topic, 1L, Long::sum);
        }
    }

    /** Distinct record keys (pair ids) committed to {@code topic}. */
    synchronized Set<String> ids(String topic) {
        return Set.copyOf(idsByTopic.getOrDefault(topic, Set.of()));
    }

    synchronized long deadLetters(String stage) {
        return deadLettersByStage.getOrDefault(stage, 0L);
    }

    synchronized Map<String, Long> deadLettersByReason() {
        return new TreeMap<>(deadLettersByReason);
    }

    synchronized List<CentroidSnapshot> snapshots() {
        return List.copyOf(snapshots);
    }

    synchronized List<DriftReport> driftReports() {
        return List.copyOf(reports);
    }

    synchronized List<CheckpointEvent> checkpointEvents() {
        return List.copyOf(events);
    }

    synchronized Map<Integer, List<Example>> examplesByConcept() {
        Map<Integer, List<Example>> copy = new TreeMap<>();
        examplesByConcept.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    synchronized Map<Integer, List<String>> captionsByConcept() {
        Map<Integer, List<String>> copy = new TreeMap<>();
        captionsByConcept.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** Every labelled example read, in the order read. */
    synchronized List<Labelled> labelledRecords() {
        return List.copyOf(labelledRecords);
    }

    /** The newest snapshot's cluster weights, by concept. */
    synchronized float[] conceptWeights() {
        if (snapshots.isEmpty()) {
            return new float[0];
        }
        return Float32Vectors.decode(snapshots.get(snapshots.size() - 1).getWeights(), -1);
    }

    /** The error that stopped the observer, if one did. */
    synchronized RuntimeException failure() {
        return failure;
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
