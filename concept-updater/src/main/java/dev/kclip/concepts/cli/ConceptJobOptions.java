package dev.kclip.concepts.cli;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.Decay;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.concepts.kmeans.OnlineSettings;
import dev.kclip.concepts.lifecycle.LifecycleSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The concept-updater job's options, shared by {@code kclip concepts run}, {@code kclip concepts submit} and the job
 * jar's main ({@code flink run}, application mode). Each maps to one field of {@link ConceptJobConfig}; defaults are its defaults.
 */
public final class ConceptJobOptions {

    // every default is the configuration's: picocli takes a field's initial value as the option's default
    private static final ConceptJobConfig DEFAULTS = ConceptJobConfig.defaults();
    private static final ConceptSettings CONCEPTS = DEFAULTS.concepts();
    private static final LifecycleSettings LIFECYCLE = CONCEPTS.lifecycle();

    @Option(names = "--k", description = "Number of concepts K (default: ${DEFAULT-VALUE}).")
    int k = CONCEPTS.kmeans().k();

    @Option(names = "--distance",
            description = "COSINE (L2-normalised vectors) or EUCLIDEAN (default: ${DEFAULT-VALUE}).")
    Distance distance = CONCEPTS.kmeans().distance();

    @Option(names = "--kernel",
            description = "Soft-label kernel: GAUSSIAN exp(-d²/tau) or STUDENT_T (1 + d²/tau)^-1 (default:"
                    + " ${DEFAULT-VALUE}).")
    Kernel kernel = CONCEPTS.kmeans().kernel();

    @Option(names = "--temperature",
            description = "tau of the kernel; 0 = the median squared distance to the nearest centroid at"
                    + " bootstrap (default).")
    double temperature = CONCEPTS.kmeans().temperature();

    @Option(names = "--seed", description = "Seed of the k-means++ bootstrap (default:"
            + " ${DEFAULT-VALUE}).")
    long seed = CONCEPTS.kmeans().seed();

    @Option(names = "--bootstrap-size", paramLabel = "B",
            description = "Records buffered for the offline K-means bootstrap; 0 = max(2048, 20·K) (default).")
    int bootstrap = CONCEPTS.bootstrapSize();

    @Option(names = "--bootstrap-window", paramLabel = "W",
            description = "Records the bootstrap waits for and draws its sample of B from; 0 = B (default).")
    int bootstrapWindow = LIFECYCLE.bootstrapWindow();

    @Option(names = "--max-k", paramLabel = "K",
            description = "Most concepts K may grow to through births; 0 = 2·K (default).")
    int maxConcepts = LIFECYCLE.maxConcepts();

    @Option(names = "--novelty-buffer", paramLabel = "N",
            description = "Novel records clustered for births when the buffer fills (default: ${DEFAULT-VALUE}).")
    int noveltyBuffer = LIFECYCLE.noveltyBuffer();

    @Option(names = "--merge-ratio",
            description = "Merge two concepts closer than this fraction of the typical within-concept d² (default:"
                    + " ${DEFAULT-VALUE}; 0 = never).")
    double mergeRatio = LIFECYCLE.mergeRatio();

    @Option(names = "--retire-ratio",
            description = "Retire a concept whose weight stays below this fraction of the mean for the retire"
                    + " window (default: ${DEFAULT-VALUE}; 0 = never).")
    double retireRatio = LIFECYCLE.retireRatio();

    @Option(names = "--retire-window", paramLabel = "RECORDS",
            description = "Records a concept's weight must stay low before it retires (default: ${DEFAULT-VALUE}).")
    long retireWindow = LIFECYCLE.retireWindow();

    @Option(names = "--target-entropy", paramLabel = "NATS",
            description = "Mean label entropy tau is re-estimated to keep when tau comes from the data; 0 = the"
                    + " bootstrap labels' (default).")
    double targetEntropy = LIFECYCLE.targetEntropy();

    @Option(names = "--batch", paramLabel = "M",
            description = "Records per mini-batch update (default: ${DEFAULT-VALUE}).")
    int batch = CONCEPTS.batchSize();

    @Option(names = "--half-life", paramLabel = "RECORDS",
            description = "Forgetting: weights halve every this many records (default: ${DEFAULT-VALUE}); 0 ="
                    + " never forget.")
    double halfLifeRecords = CONCEPTS.online().decay().halfLife();

    @Option(names = "--half-life-time", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Forgetting by event time instead, e.g. 1h (overrides --half-life).")
    Duration halfLifeTime;

    @Option(names = "--reseed-ratio",
            description = "Re-seed a cluster whose weight falls below this fraction of the largest (default:"
                    + " ${DEFAULT-VALUE}).")
    double reseedRatio = CONCEPTS.online().reseedRatio();

    @Option(names = "--window", paramLabel = "RECORDS",
            description = "Drift window size in records; 0 = by time only (default: ${DEFAULT-VALUE}).")
    long windowRecords = CONCEPTS.drift().windowRecords();

    @Option(names = "--window-time", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Close drift windows after this much event time as well, e.g. 10m.")
    Duration windowTime;

    @Option(names = "--reference-rate",
            description = "How fast the drift reference follows the windows (default: ${DEFAULT-VALUE}).")
    double referenceRate = CONCEPTS.drift().referenceRate();

    @Option(names = "--drift-false-alarm-rate", paramLabel = "RATE",
            description = "Share of windows of an unchanging stream that may ALERT; the thresholds are calibrated"
                    + " on the reference period for it (default: ${DEFAULT-VALUE}, one false alarm per 100 windows).")
    double falseAlarmRate = CONCEPTS.drift().falseAlarmRate();

    @Option(names = "--drift-warn-rate", paramLabel = "RATE",
            description = "The same for WARN (default: ${DEFAULT-VALUE}).")
    double warnRate = CONCEPTS.drift().warnRate();

    @Option(names = "--snapshot-every", paramLabel = "UPDATES",
            description = "Write a centroid snapshot every this many updates (default: ${DEFAULT-VALUE}).")
    int snapshotEvery = CONCEPTS.snapshotEvery();

    @Option(names = "--assigners", paramLabel = "P",
            description = "0 = one operator labels and updates (default); P > 0 = P parallel assigners with broadcast "
                    + "centroids, one updater, centroids fed back through the snapshot topic.")
    int assigners = CONCEPTS.assigners();

    @Option(names = "--parallelism",
            description = "Parallelism of the Kafka source and decoding (default: ${DEFAULT-VALUE}).")
    int parallelism = DEFAULTS.parallelism();

    @Option(names = "--checkpoint-interval", converter = DurationConverter.class,
            description = "Checkpoint interval; outputs become visible to read_committed readers at each"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval = DEFAULTS.checkpointInterval();

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Checkpoint directory, any Flink file system URI (default: "
                    + ConceptJobConfig.DEFAULT_CHECKPOINT_DIR + ").")
    String checkpointDir;

    @Option(names = "--savepoint-dir", paramLabel = "URI",
            description = "Savepoint directory (default: " + ConceptJobConfig.DEFAULT_SAVEPOINT_DIR + ").")
    String savepointDir;

    @Option(names = "--retained-checkpoints", paramLabel = "N",
            description = "Checkpoints Flink keeps per run, and checkpoints and savepoints the embedded runner leaves"
                    + " under the local directories when it starts, older runs' included; a restore falls back past a"
                    + " corrupt newest one to an older one (default: ${DEFAULT-VALUE}).")
    int retainedCheckpoints = DEFAULTS.retainedCheckpoints();

    @Option(names = "--no-resume",
            description = "Do not restore the newest savepoint or retained checkpoint (start over from the group"
                    + " offsets).")
    boolean noResume;

    @Option(names = "--from-savepoint", paramLabel = "PATH", description = "Restore this savepoint or checkpoint.")
    String fromSavepoint;

    @Option(names = "--init-from-snapshot",
            description = "Start each teacher's model from its newest snapshot in the centroids topic (keeps"
                    + " concept ids).")
    boolean initFromSnapshot;

    @Option(names = "--bounded", description = "Stop at the input's end as of the start, instead of running on.")
    boolean bounded;

    @Option(names = "--input-topic", description = "Input topic (default: ${DEFAULT-VALUE}).")
    String inputTopic = DEFAULTS.topics().input();

    @Option(names = "--group-id",
            description = "Consumer group of the input (default: ${DEFAULT-VALUE}).")
    String groupId = DEFAULTS.groupId();

    @Option(names = "--transactional-id-prefix",
            description = "Prefix of the sinks' Kafka transactional ids; unique per job (default: ${DEFAULT-VALUE}).")
    String transactionalIdPrefix = DEFAULTS.transactionalIdPrefix();

    @Option(names = "--transaction-timeout", converter = DurationConverter.class,
            description = "Kafka transaction timeout; at most the broker's transaction.max.timeout.ms (default:"
                    + " ${DEFAULT-VALUE}).")
    Duration transactionTimeout = DEFAULTS.transactionTimeout();

    /** The configuration these options describe. */
    public ConceptJobConfig toConfig() {
        KMeansSettings kmeans = KMeansSettings.defaults(k).withDistance(distance).withKernel(kernel)
                .withTemperature(temperature).withSeed(seed);
        Decay decay = halfLifeTime != null ? Decay.halfLifeTime(halfLifeTime)
                : halfLifeRecords == 0 ? Decay.none() : Decay.halfLifeRecords(halfLifeRecords);
        DriftSettings drift = new DriftSettings(windowRecords, windowTime == null ? 0 : windowTime.toMillis(),
                referenceRate, falseAlarmRate, warnRate);
        LifecycleSettings lifecycle = new LifecycleSettings(maxConcepts, noveltyBuffer, mergeRatio, retireRatio,
                retireWindow, targetEntropy, bootstrapWindow);
        ConceptSettings concepts = new ConceptSettings(kmeans, new OnlineSettings(decay, reseedRatio, seed), drift,
                bootstrap, batch, snapshotEvery, assigners, lifecycle);
        ConceptJobConfig.Topics topics = DEFAULTS.topics();
        topics = new ConceptJobConfig.Topics(inputTopic, topics.labels(), topics.centroids(), topics.drift(),
                topics.deadLetters());
        return DEFAULTS.withTopics(topics)
                .withIds(groupId, transactionalIdPrefix)
                .withConcepts(concepts)
                .withParallelism(parallelism)
                .withTransactionTimeout(transactionTimeout)
                .withCheckpointing(checkpointInterval,
                        checkpointDir == null ? DEFAULTS.checkpointDir() : uri(checkpointDir),
                        savepointDir == null ? DEFAULTS.savepointDir() : uri(savepointDir))
                .withRetainedCheckpoints(retainedCheckpoints)
                .withRestore(!noResume, fromSavepoint)
                .withInitFromSnapshot(initFromSnapshot)
                .withBounded(bounded);
    }

    /** A bare local path becomes a file:// URI; anything with a scheme is left for Flink to resolve. */
    private static String uri(String location) {
        return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") ? location : ConceptJobConfig.localUri(location);
    }
}
