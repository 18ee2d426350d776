package dev.kclip.schemas;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The one place that names the pipeline's topics and how they are laid out. */
public final class Topics {

    private static final String DAYS_7 = Long.toString(Duration.ofDays(7).toMillis());
    private static final String DAYS_30 = Long.toString(Duration.ofDays(30).toMillis());
    /**
     * The largest record (batch) the image-carrying topics, the embedded broker and the project's clients accept:
     * records are up to a few MB after normalisation, and the broker default (1 MB) is too small. Every limit that
     * follows from it (producer request size, fetch size, what a stage can write) is derived from this one number.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    private static final String MAX_MESSAGE = Integer.toString(MAX_MESSAGE_BYTES);
    /**
     * The dead-letter topic's size bound (its {@code retention.bytes}, per partition; it has one): 1 GiB, so a
     * stage that rejects everything (a loop, an attack, a broken producer) cannot fill the broker's disk within the
     * 30 days of its time bound. Like every topic setting it is the value a new topic gets; change a running topic's
     * with {@code kafka-configs.sh --alter --add-config retention.bytes=...} (creating the catalog again leaves it).
     */
    public static final long DEAD_LETTER_RETENTION_BYTES = 1024L * 1024 * 1024;
    /** Room a producer request keeps for the record batch framing around a record's key and value. */
    public static final int RECORD_FRAMING_BYTES = 64 * 1024;
    /**
     * The largest record (key and value) a stage writes: {@link #MAX_MESSAGE_BYTES} less room for the record batch
     * framing. A stage checks its outputs and dead letters against it, since one that does not fit fails on every
     * retry and stalls the stage.
     */
    public static final int MAX_RECORD_BYTES = MAX_MESSAGE_BYTES - RECORD_FRAMING_BYTES;

    public static final TopicSpec PAIRS_RAW = new TopicSpec("kclip.pairs.raw", 3,
            Map.of("retention.ms", DAYS_7, "max.message.bytes", MAX_MESSAGE),
            ImageCaptionPair.class, "pair id",
            "pairs as users push them, before validation");
    public static final TopicSpec PAIRS = new TopicSpec("kclip.pairs", 3,
            Map.of("retention.ms", DAYS_7, "max.message.bytes", MAX_MESSAGE),
            ImageCaptionPair.class, "pair id",
            "validated, normalised, de-duplicated pairs");
    public static final TopicSpec DEAD_LETTERS = new TopicSpec("kclip.pairs.dlq", 1,
            Map.of("retention.ms", DAYS_30, "retention.bytes", Long.toString(DEAD_LETTER_RETENTION_BYTES),
                    "max.message.bytes", MAX_MESSAGE),
            DeadLetter.class, "original record key",
            "records any stage rejected, with the reason");
    public static final TopicSpec TEACHER_EMBEDDINGS = new TopicSpec("kclip.teacher.embeddings", 3,
            Map.of("retention.ms", DAYS_7, "max.message.bytes", MAX_MESSAGE),
            EmbeddedPair.class, "pair id",
            "pairs with the teacher's caption embedding");
    public static final TopicSpec CENTROIDS = new TopicSpec("kclip.concepts.centroids", 1,
            Map.of("cleanup.policy", "compact", "max.message.bytes", MAX_MESSAGE),
            CentroidSnapshot.class, "teacher model id",
            "newest K-means centroids per teacher (compacted)");
    public static final TopicSpec DRIFT = new TopicSpec("kclip.concepts.drift", 1,
            Map.of("retention.ms", DAYS_30),
            DriftReport.class, "teacher model id",
            "concept drift report per window");
    public static final TopicSpec TRAIN_EXAMPLES = new TopicSpec("kclip.train.examples", 3,
            Map.of("retention.ms", DAYS_7, "max.message.bytes", MAX_MESSAGE),
            LabelledPair.class, "pair id",
            "embedded pairs with soft concept labels, for the trainer");
    public static final TopicSpec CHECKPOINTS = new TopicSpec("kclip.model.checkpoints", 1,
            Map.of("cleanup.policy", "compact,delete", "retention.ms", DAYS_30),
            CheckpointEvent.class, "run id + version",
            "one event per published trainer checkpoint");

    /** Every topic, in the order data flows through them. */
    public static final List<TopicSpec> ALL = List.of(
            PAIRS_RAW, PAIRS, DEAD_LETTERS, TEACHER_EMBEDDINGS, CENTROIDS, DRIFT, TRAIN_EXAMPLES, CHECKPOINTS);

    private Topics() {
    }

    /** The catalog entry for a topic name, if it is one of ours. */
    public static Optional<TopicSpec> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
