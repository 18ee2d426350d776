package dev.kclip.common.live;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the pipeline's topics say, for the live page: one consumer (read_committed, no group) on its own thread
 * reads the newest centroid snapshots, drift reports, checkpoint events and labelled examples (those of them it is
 * asked to: a service's page shows what that service writes), and keeps only the
 * last few of each: {@link #SNAPSHOTS} snapshots, {@link #WINDOWS} drift windows, {@link #CHECKPOINTS} checkpoints,
 * {@link #CAPTIONS} captions for each of at most {@link #MAX_CONCEPTS} concepts. It starts that many records before each
 * topic's end, so a long history is never read.
 */
public final class TopicWatch implements LiveSource {

    static final int SNAPSHOTS = 120;
    static final int WINDOWS = 120;
    static final int CHECKPOINTS = 40;
    static final int CAPTIONS = 4;
    static final int MAX_CONCEPTS = 256;
    /** Labelled examples read back from each partition's end at the start, for the concepts' captions. */
    private static final int EXAMPLES_BACK = 200;

    private final AvroSerde<CentroidSnapshot> centroids = new AvroSerde<>(CentroidSnapshot.class);
    private final AvroSerde<DriftReport> drift = new AvroSerde<>(DriftReport.class);
    private final AvroSerde<CheckpointEvent> checkpoints = new AvroSerde<>(CheckpointEvent.class);
    private final AvroSerde<LabelledPair> labelled = new AvroSerde<>(LabelledPair.class);
    private final Function<DriftReport, String> driftLine;
    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    // guarded by this
    private final Deque<ObjectNode> snapshots = new ArrayDeque<>();
    private CentroidSnapshot latest;
    private final Deque<ObjectNode> windows = new ArrayDeque<>();
    private final Deque<ObjectNode> events = new ArrayDeque<>();
    private final Map<Long, Deque<String>> captions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Deque<String>> eldest) {
            return size() > MAX_CONCEPTS;
        }
    };
    private long unreadable;
    private String problem;

    /** Everything it can watch: what {@code kclip up}'s page shows. */
    public static final Set<TopicSpec> PIPELINE = Set.of(Topics.CENTROIDS, Topics.DRIFT, Topics.CHECKPOINTS,
            Topics.TRAIN_EXAMPLES);
    /** What the concept job writes: its concepts (with captions from its labelled examples) and its drift. */
    public static final Set<TopicSpec> CONCEPTS = Set.of(Topics.CENTROIDS, Topics.DRIFT, Topics.TRAIN_EXAMPLES);
    /** What the trainer writes: its checkpoint events. */
    public static final Set<TopicSpec> TRAINER = Set.of(Topics.CHECKPOINTS);

    private final Set<TopicSpec> topics;

    private TopicWatch(KafkaConnection kafka, Set<TopicSpec> topics, Function<DriftReport, String> driftLine) {
        if (!PIPELINE.containsAll(topics)) {
            throw new IllegalArgumentException("the live page reads only " + PIPELINE + ", not " + topics);
        }
        this.topics = Set.copyOf(topics);
        this.driftLine = driftLine;
        this.bootstrap = kafka.bootstrapServers();
        Properties props = kafka.consumer(null);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kclip-live-page");
        this.consumer = new KafkaConsumer<>(props);
        this.thread = new Thread(this::run, "kclip-live-topics");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading {@code topics} (some of {@link #PIPELINE}) of the cluster {@code kafka} reaches.
     *
     * @param driftLine the one-line description of a drift report ({@code kclip drift watch}'s; used only when
     *     {@code topics} holds the drift topic)
     */
    public static TopicWatch start(KafkaConnection kafka, Set<TopicSpec> topics, Function<DriftReport, String> driftLine) {
        TopicWatch watch = new TopicWatch(kafka, topics, driftLine);
        watch.thread.start();
        return watch;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicSpec topic : topics) {
                for (PartitionInfo p : consumer.partitionsFor(topic.name())) {
                    partitions.add(new TopicPartition(topic.name(), p.partition()));
                }
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                int back = tp.topic().equals(Topics.CENTROIDS.name()) ? SNAPSHOTS
                        : tp.topic().equals(Topics.DRIFT.name()) ? WINDOWS
                        : tp.topic().equals(Topics.CHECKPOINTS.name()) ? CHECKPOINTS : EXAMPLES_BACK;
                consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - back));
            }
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        accept(record.topic(), record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            synchronized (this) {
                problem = "stopped reading the topics: " + e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private synchronized void accept(String topic, byte[] value) {
        try {
            if (topic.equals(Topics.CENTROIDS.name())) {
                snapshot(centroids.deserialize(topic, value));
            } else if (topic.equals(Topics.DRIFT.name())) {
                window(drift.deserialize(topic, value));
            } else if (topic.equals(Topics.CHECKPOINTS.name())) {
                checkpoint(checkpoints.deserialize(topic, value));
            } else {
                LabelledPair pair = labelled.deserialize(topic, value);
                int row = pair.getTopConcept();
                long id = pair.getConceptIds().isEmpty() || row >= pair.getConceptIds().size() ? row
                        : pair.getConceptIds().get(row);
                Deque<String> recent = captions.computeIfAbsent(id, k -> new ArrayDeque<>());
                recent.addLast(pair.getEmbedded().getPair().getCaption());
                if (recent.size() > CAPTIONS) {
                    recent.removeFirst();
                }
            }
        } catch (RecordDecodingException e) {
            unreadable++;
        }
    }

    private void snapshot(CentroidSnapshot s) {
        latest = s;
        ObjectNode point = JsonNodes.object().put("version", s.getVersion()).put("recordsSeen", s.getRecordsSeen());
        ArrayNode weights = point.putArray("weights");
        for (float w : Float32Vectors.decode(s.getWeights(), s.getConceptCount())) {
            weights.add(w);
        }
        s.getConceptIds().forEach(point.putArray("ids")::add);
        bounded(snapshots, point, SNAPSHOTS);
    }

    private void window(DriftReport r) {
        ObjectNode w = JsonNodes.object().put("window", r.getWindow()).put("level", r.getLevel().name())
                .put("end", r.getWindowEnd().toEpochMilli()).put("line", driftLine.apply(r));
        JsonNodes.number(w, "js", r.getJsDivergence());
        JsonNodes.number(w, "novelty", r.getNoveltyRate());
        JsonNodes.number(w, "displacement", r.getCentroidDisplacement());
        JsonNodes.number(w, "mmd", r.getMmd() == null ? Double.NaN : r.getMmd());
        JsonNodes.number(w, "top", r.getMeanTopProbability() == null ? Double.NaN : r.getMeanTopProbability());
        bounded(windows, w, WINDOWS);
    }

    private void checkpoint(CheckpointEvent e) {
        ObjectNode c = JsonNodes.object().put("runId", e.getRunId()).put("version", e.getVersion())
                .put("step", e.getStep()).put("location", e.getLocation()).put("consumed", e.getExamplesConsumed())
                .put("trained", e.getExamplesTrained()).put("created", e.getCreatedTime().toEpochMilli());
        ObjectNode metrics = c.putObject("metrics");
        e.getMetrics().forEach((name, v) -> JsonNodes.number(metrics, name.toString(), v));
        bounded(events, c, CHECKPOINTS);
    }

    private static void bounded(Deque<ObjectNode> deque, ObjectNode item, int capacity) {
        deque.addLast(item);
        if (deque.size() > capacity) {
            deque.removeFirst();
        }
    }

    /**
     * {@code "concepts": {version, count, temperature, recordsSeen, snapshots: [...], table: [{id, weight, captions}]}},
     * {@code "drift": [{window, level, js, novelty, displacement, mmd, top, line}]}, {@code "checkpoints": [{runId,
     * version, step, location, metrics, ...}]}, {@code "bootstrap"} (for the follow command) and
     * {@code "topicsProblem"} when reading stopped.
     */
    @Override
    public synchronized void write(ObjectNode page) {
        page.put("bootstrap", bootstrap);
        ObjectNode concepts = page.putObject("concepts");
        snapshots.forEach(concepts.putArray("snapshots")::add);
        ArrayNode table = concepts.putArray("table");
        if (latest != null) {
            concepts.put("version", latest.getVersion()).put("count", latest.getConceptCount())
                    .put("temperature", latest.getTemperature()).put("recordsSeen", latest.getRecordsSeen());
            float[] weights = Float32Vectors.decode(latest.getWeights(), latest.getConceptCount());
            for (int row = 0; row < weights.length; row++) {
                long id = latest.getConceptIds().isEmpty() ? row : latest.getConceptIds().get(row);
                if (id < 0) {
                    continue;   // a free row
                }
                ObjectNode concept = table.addObject().put("id", id).put("weight", weights[row]);
                captions.getOrDefault(id, new ArrayDeque<>()).forEach(concept.putArray("captions")::add);
            }
        }
        windows.forEach(page.putArray("drift")::add);
        events.forEach(page.putArray("checkpoints")::add);
        if (unreadable > 0) {
            page.put("unreadableRecords", unreadable);
        }
        if (problem != null) {
            page.put("topicsProblem", problem);
        }
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
