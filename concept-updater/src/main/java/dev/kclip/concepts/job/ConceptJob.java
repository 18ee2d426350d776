package dev.kclip.concepts.job;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.stream.ConceptIds;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.RecordDecodingException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The concept-updater job. {@link #build} wires the pipeline from an input stream, an optional feedback stream
 * and the sinks, so the same code runs on bounded data in a test, on a MiniCluster with Kafka, and on a cluster;
 * {@link #buildKafkaJob} supplies the Kafka sources and exactly-once Kafka sinks.
 *
 * <pre>
 *   input ─► decode ─► batch ─┬────────────────────────► model (keyBy teacher, parallelism 1) ─► labels
 *                             │  (single operator, assigners = 0)    ├─► snapshots  ├─► drift reports
 *                             └► assign ×P (broadcast centroids) ─► labels │
 *                                 ├► partial statistics ────────────►┘
 *                                 └► unlabelled (no model yet) ─────►┘   snapshots ─► topic ─► feedback ─► assign
 *   every operator ─► dead letters
 * </pre>
 */
public final class ConceptJob {

    /** The job's name on a Flink cluster: {@code kclip concepts submit} refuses a second one running. */
    public static final String NAME = "kclip concepts";

    private static final Logger LOG = LoggerFactory.getLogger(ConceptJob.class);

    private ConceptJob() {
    }

    /**
     * Wires the pipeline.
     *
     * @param input raw input records
     * @param feedback centroid snapshots fed back to the assigners; required when {@code settings.assigners() > 0},
     *     ignored otherwise
     * @param initialSnapshots snapshots to start from per teacher model id (may be empty): model, version and
     *     concept ids
     */
    public static void build(DataStream<RawEmbedding> input, DataStream<CentroidSnapshot> feedback,
            ConceptSettings settings, Map<String, CentroidSnapshot> initialSnapshots, ConceptSinks sinks) {
        AvroCodec<CentroidSnapshot> codec = AvroCodec.forClass(CentroidSnapshot.class);
        Map<String, byte[]> initial = new HashMap<>();
        initialSnapshots.forEach((teacher, snapshot) -> initial.put(teacher, codec.encode(snapshot)));

        SingleOutputStreamOperator<EmbeddingInput> decoded = input
                .process(new DecodeEmbeddings(settings.kmeans().distance()), ConceptTypes.EMBEDDING_INPUT)
                .name("decode embeddings").uid("decode-embeddings");
        DataStream<DeadLetter> deadLetters = decoded.getSideOutput(Rejections.DEAD_LETTERS);

        // mini-batches of m records at most, waiting at most BatchRecords.MAX_DELAY: labelled with one matrix product
        SingleOutputStreamOperator<EmbeddingInput[]> batches = decoded
                .transform("batch records", ConceptTypes.EMBEDDING_BATCH,
                        new BatchRecords(settings.batchSize(), BatchRecords.MAX_DELAY))
                .setParallelism(decoded.getParallelism()).uid("batch-records");

        DataStream<ModelInput> modelInput;
        DataStream<LabelledPair> assignerLabels = null;
        if (settings.assigners() == 0) {
            modelInput = batches.map(ModelInput::of, ConceptTypes.MODEL_INPUT).name("to model").uid("to-model");
        } else {
            if (feedback == null) {
                throw new IllegalArgumentException("the parallel path (assigners > 0) needs the snapshot feedback");
            }
            BroadcastStream<CentroidSnapshot> centroids = feedback.broadcast(AssignConcepts.MODELS);
            SingleOutputStreamOperator<LabelledPair> assigned = batches.rebalance().connect(centroids)
                    .process(new AssignConcepts(settings, initial), ConceptTypes.LABELLED_PAIR)
                    .setParallelism(settings.assigners()).name("assign concepts").uid("assign-concepts");
            assignerLabels = assigned;
            deadLetters = deadLetters.union(assigned.getSideOutput(Rejections.DEAD_LETTERS));
            DataStream<ModelInput> unlabelled = assigned.getSideOutput(AssignConcepts.UNLABELLED)
                    .map(ModelInput::of, ConceptTypes.MODEL_INPUT).setParallelism(settings.assigners())
                    .name("unlabelled to model").uid("unlabelled-to-model");
            DataStream<ModelInput> partials = assigned.getSideOutput(AssignConcepts.PARTIALS)
                    .map(ModelInput::of, ConceptTypes.MODEL_INPUT).setParallelism(settings.assigners())
                    .name("partials to model").uid("partials-to-model");
            modelInput = unlabelled.union(partials);
        }

        SingleOutputStreamOperator<LabelledPair> modelled = modelInput
                .keyBy(ModelInput::teacherModelId)
                .process(new ConceptModelFunction(settings, initial), ConceptTypes.LABELLED_PAIR)
                .setParallelism(1).name("concept model").uid("concept-model");
        deadLetters = deadLetters.union(modelled.getSideOutput(Rejections.DEAD_LETTERS));
        DataStream<LabelledPair> labels = assignerLabels == null ? modelled : modelled.union(assignerLabels);

        labels.sinkTo(sinks.labels()).name("labels").uid("labels-sink");
        modelled.getSideOutput(ConceptModelFunction.SNAPSHOTS).sinkTo(sinks.snapshots()).setParallelism(1)
                .name("centroid snapshots").uid("snapshots-sink");
        modelled.getSideOutput(ConceptModelFunction.DRIFT_REPORTS).sinkTo(sinks.driftReports()).setParallelism(1)
                .name("drift reports").uid("drift-sink");
        deadLetters.sinkTo(sinks.deadLetters()).name("dead letters").uid("dead-letters-sink");
    }

    /**
     * Wires the whole job against Kafka: input source, snapshot feedback (parallel path), initial models
     * ({@code --init-from-snapshot}), exactly-once sinks.
     */
    public static void buildKafkaJob(StreamExecutionEnvironment env, KafkaConnection connection,
            ConceptJobConfig config) {
        ConceptJobConfig.Topics topics = config.topics();
        DataStream<RawEmbedding> input = env
                .fromSource(inputSource(connection, config), WatermarkStrategy.noWatermarks(), "embeddings")
                .setParallelism(config.parallelism()).uid("embeddings-source");
        DataStream<CentroidSnapshot> feedback = null;
        if (config.concepts().assigners() > 0) {
            feedback = env.fromSource(feedbackSource(connection, config, System.currentTimeMillis()),
                    WatermarkStrategy.noWatermarks(), "centroid feedback").setParallelism(1).uid("feedback-source");
        }
        Map<String, CentroidSnapshot> initial = config.initFromSnapshot()
                ? newestSnapshots(connection, topics.centroids(), config.concepts())
                : Map.of();
        build(input, feedback, config.concepts(), initial,
                ConceptSinks.kafka(connection, topics, config.transactionalIdPrefix(), config.transactionTimeout()));
    }

    /** The input: raw records of the embeddings topic, read_committed, from the group's committed offsets. */
    @SuppressWarnings("deprecation") // OffsetResetStrategy: the connector's API still takes it
    public static KafkaSource<RawEmbedding> inputSource(KafkaConnection connection, ConceptJobConfig config) {
        KafkaSourceBuilder<RawEmbedding> builder = KafkaSource.<RawEmbedding>builder()
                .setProperties(sourceProperties(connection, config.groupId()))
                .setTopics(config.topics().input())
                .setClientIdPrefix(config.groupId() + "-input")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawEmbeddingDeserializer());
        if (config.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * The parallel path's feedback: snapshots written from {@code startMillis} on (this run's, not an earlier
     * run's; a restore resumes from the checkpointed offsets instead). read_committed, so assigners see a version
     * once the checkpoint that wrote it completed.
     */
    public static KafkaSource<CentroidSnapshot> feedbackSource(KafkaConnection connection, ConceptJobConfig config,
            long startMillis) {
        return KafkaSource.<CentroidSnapshot>builder()
                .setProperties(sourceProperties(connection, config.groupId() + "-feedback"))
                .setTopics(config.topics().centroids())
                .setClientIdPrefix(config.groupId() + "-feedback")
                .setStartingOffsets(OffsetsInitializer.timestamp(startMillis))
                .setDeserializer(new SnapshotDeserializer())
                .build();
    }

    /**
     * Consumer properties for a Kafka source: read_committed whatever the user's client properties say (exactly
     * once needs it: aborted upstream transactions must not be labelled); where to start is the source's own setting.
     */
    static Properties sourceProperties(KafkaConnection connection, String groupId) {
        Properties props = connection.exactlyOnceConsumer(groupId);
        props.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
        return props;
    }

    /**
     * The newest snapshot per teacher model id in the centroids topic ({@code --init-from-snapshot}).
     *
     * @throws IllegalArgumentException when a snapshot's K or geometry differs from {@code settings}
     */
    public static Map<String, CentroidSnapshot> newestSnapshots(KafkaConnection connection, String topic,
            ConceptSettings settings) {
        AvroCodec<CentroidSnapshot> codec = AvroCodec.forClass(CentroidSnapshot.class);
        Map<String, CentroidSnapshot> newest = new LinkedHashMap<>();
        TopicReader.read(connection, topic, true, Long.MAX_VALUE, Duration.ofSeconds(2), record -> {
            try {
                CentroidSnapshot snapshot = codec.decode(record.value());
                newest.merge(snapshot.getTeacherModelId(), snapshot,
                        (a, b) -> b.getVersion() > a.getVersion() ? b : a);
            } catch (RecordDecodingException e) {
                LOG.warn("skipping {}-{}@{} in {}: {}", record.topic(), record.partition(), record.offset(), topic,
                        e.getMessage());
            }
            return true;
        });
        Map<String, CentroidSnapshot> models = new LinkedHashMap<>();
        newest.forEach((teacher, snapshot) -> {
            ConceptModel model = CentroidSnapshots.toModel(snapshot);
            ConceptIds.of(snapshot); // throws on a snapshot whose ids do not match its K
            if (model.k() != settings.kmeans().k() || model.distance() != settings.kmeans().distance()) {
                throw new IllegalArgumentException("the newest snapshot of " + teacher + " in " + topic + " has K="
                        + model.k() + " and " + model.distance() + " distance, but the job is configured with K="
                        + settings.kmeans().k() + " and " + settings.kmeans().distance()
                        + "; configure the same, or start without --init-from-snapshot");
            }
            LOG.info("teacher {}: initial model from snapshot version {}", teacher, model.version());
            models.put(teacher, snapshot);
        });
        if (models.isEmpty()) {
            LOG.warn("--init-from-snapshot: {} holds no snapshot; teachers will bootstrap", topic);
        }
        return models;
    }

    /**
     * Flink configuration for the job: exactly-once checkpoints every {@code checkpointInterval} to
     * {@code checkpointDir}, retained on cancellation (so a cancelled job can be resumed), savepoints to
     * {@code savepointDir}, and a restore path when given.
     */
    public static Configuration flinkConfiguration(ConceptJobConfig config, String restorePath) {
        Configuration conf = new Configuration();
        // every stream and state type has an Avro or POJO serializer; never fall back to Kryo silently
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, config.savepointDir());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, config.retainedCheckpoints());
        if (restorePath != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
        }
        return conf;
    }
}
