package dev.kclip.ingest.topology;

import dev.kclip.ingest.validate.PairValidator;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The ingest topology: raw pairs in, validated pairs and dead letters out.
 *
 * <pre>
 *   input (bytes) ──► validate ──► output        (key: pair id, value: normalised ImageCaptionPair)
 *                        │   └───► dead letters  (key: original key, value: DeadLetter with the original bytes)
 *                        └ seen-ids window store (de-duplication by id)
 * </pre>
 *
 * Values are read as bytes and decoded inside the processor, so bytes that are not a pair become a
 * {@code BAD_RECORD} dead letter instead of a deserialisation failure.
 */
public final class IngestTopology {

    public static final String SOURCE = "raw-pairs";
    public static final String VALIDATE = "validate";
    public static final String OUTPUT_SINK = "pairs";
    public static final String DEAD_LETTER_SINK = "dead-letters";
    /** Window store of the ids passed on, keyed by id, value the wall-clock time it was first seen. */
    public static final String SEEN_IDS_STORE = "ingest-seen-ids";

    private IngestTopology() {
    }

    /**
     * Builds the topology.
     *
     * @param topics where to read and write
     * @param validator the checks and the normalisation
     * @param dedupWindow how long an id is remembered; a pair whose id was passed on within it is dropped
     * @param metrics where to count
     */
    public static Topology build(IngestTopics topics, PairValidator validator, Duration dedupWindow, IngestMetrics metrics) {
        if (dedupWindow.isNegative() || dedupWindow.isZero()) {
            throw new IllegalArgumentException("the de-duplication window must be positive, not " + dedupWindow);
        }
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.input());
        topology.addProcessor(VALIDATE, () -> new ValidateProcessor(validator, dedupWindow, metrics), SOURCE);
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(SEEN_IDS_STORE, dedupWindow, dedupWindow, false),
                Serdes.String(), Serdes.Long()), VALIDATE);
        topology.addSink(OUTPUT_SINK, topics.output(), new ByteArraySerializer(), new ByteArraySerializer(), VALIDATE);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(), VALIDATE);
        return topology;
    }
}
