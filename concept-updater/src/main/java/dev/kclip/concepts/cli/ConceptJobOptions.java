package dev.kclip.concepts.cli;

import dev.kclip.common.cli.DurationConverter;
import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.drift.DriftThresholds;
import dev.kclip.concepts.job.ConceptJobConfig;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.Decay;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.concepts.kmeans.OnlineSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The concept-updater job's options, shared by {@code kclip concepts run} and the job jar's main
 * ({@code flink run}). Each maps to one field of {@link ConceptJobConfig}; defaults are its defaults.
 */
public final class ConceptJobOptions {

    @Option(names = "--k", defaultValue = "64", description = "Number of concepts K (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--distance", defaultValue = "COSINE",
            description = "COSINE (L2-normalised vectors) or EUCLIDEAN (default: ${DEFAULT-VALUE}).")
    Distance distance;

    @Option(names = "--kernel", defaultValue = "GAUSSIAN",
            description = "Soft-label kernel: GAUSSIAN exp(-d²/tau) or STUDENT_T (1 + d²/tau)^-1 (default:"
                    + " ${DEFAULT-VALUE}).")
    Kernel kernel;

    @Option(names = "--temperature", defaultValue = "0",
            description = "tau of the kernel; 0 = the median squared distance to the nearest centroid at"
                    + " bootstrap (default).")
    double temperature;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the k-means++ bootstrap (default:"
            + " ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--bootstrap-size", defaultValue = "0", paramLabel = "B",
            description = "Records buffered for the offline K-means bootstrap; 0 = max(2048, 20·K) (default).")
    int bootstrap;

    @Option(names = "--batch", defaultValue = "256", paramLabel = "M",
            description = "Records per mini-batch update (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--half-life", defaultValue = "10000", paramLabel = "RECORDS",
            description = "Forgetting: weights halve every this many records (default: ${DEFAULT-VALUE}); 0 ="
                    + " never forget.")
    double halfLifeRecords;

    @Option(names = "--half-life-time", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Forgetting by event time instead, e.g. 1h (overrides --half-life).")
    Duration halfLifeTime;

    @Option(names = "--reseed-ratio", defaultValue = "1e-3",
            description = "Re-seed a cluster whose weight falls below this fraction of the largest (default:"
                    + " ${DEFAULT-VALUE}).")
    double reseedRatio;

    @Option(names = "--window", defaultValue = "5000", paramLabel = "RECORDS",
            description = "Drift window size in records; 0 = by time only (default: ${DEFAULT-VALUE}).")
    long windowRecords;

    @Option(names = "--window-time", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Close drift windows after this much event time as well, e.g. 10m.")
    Duration windowTime;

    @Option(names = "--reference-rate", defaultValue = "0.02",
            description = "How fast the drift reference follows the windows (default: ${DEFAULT-VALUE}).")
    double referenceRate;

    @Option(names = "--js-thresholds", split = ",", defaultValue = "0.05,0.15", paramLabel = "WARN,ALERT",
            description = "Jensen-Shannon divergence levels (default: ${DEFAULT-VALUE}).")
    double[] js;

    @Option(names = "--novelty-thresholds", split = ",", defaultValue = "0.03,0.10", paramLabel = "WARN,ALERT",
            description = "Novelty rate levels (default: ${DEFAULT-VALUE}).")
    double[] novelty;

    @Option(names = "--displacement-thresholds", split = ",", defaultValue = "0.5,1.0", paramLabel = "WARN,ALERT",
            description = "Centroid displacement levels, in mean within-cluster distances (default: ${DEFAULT-VALUE}).")
    double[] displacement;

    @Option(names = "--snapshot-every", defaultValue = "1", paramLabel = "UPDATES",
            description = "Write a centroid snapshot every this many updates (default: ${DEFAULT-VALUE}).")
    int snapshotEvery;

    @Option(names = "--assigners", defaultValue = "0", paramLabel = "P",
            description = "0 = one operator labels and updates (default); P > 0 = P parallel assigners with broadcast "
                    + "centroids, one updater, centroids fed back through the snapshot topic.")
    int assigners;

    @Option(names = "--parallelism", defaultValue = "1",
            description = "Parallelism of the Kafka source and decoding (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class,
            description = "Checkpoint interval; outputs become visible to read_committed readers at each"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Checkpoint directory, any Flink file system URI (default: .kclip/concepts/checkpoints).")
    String checkpointDir;

    @Option(names = "--savepoint-dir", paramLabel = "URI",
            description = "Savepoint directory (default: .kclip/concepts/savepoints).")
    String savepointDir;

    @Option(names = "--init-from-snapshot",
            description = "Start each teacher's model from its newest snapshot in the centroids topic (keeps"
                    + " concept ids).")
    boolean initFromSnapshot;

    @Option(names = "--bounded", description = "Stop at the input's end as of the start, instead of running on.")
    boolean bounded;

    @Option(names = "--input-topic", description = "Input topic (default: kclip.teacher.embeddings).")
    String inputTopic;

    @Option(names = "--group-id", defaultValue = "kclip-concepts",
            description = "Consumer group of the input (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--transactional-id-prefix", defaultValue = "kclip-concepts",
            description = "Prefix of the sinks' Kafka transactional ids; unique per job (default: ${DEFAULT-VALUE}).")
    String transactionalIdPrefix;

    @Option(names = "--transaction-timeout", defaultValue = "15m", converter = DurationConverter.class,
            description = "Kafka transaction timeout; at most the broker's transaction.max.timeout.ms (default:"
                    + " ${DEFAULT-VALUE}).")
    Duration transactionTimeout;

    /** The configuration these options describe. */
    public ConceptJobConfig toConfig() {
        KMeansSettings kmeans = KMeansSettings.defaults(k).withDistance(distance).withKernel(kernel)
                .withTemperature(temperature).withSeed(seed);
        Decay decay = halfLifeTime != null ? Decay.halfLifeTime(halfLifeTime)
                : halfLifeRecords == 0 ? Decay.none() : Decay.halfLifeRecords(halfLifeRecords);
        DriftSettings drift = new DriftSettings(windowRecords, windowTime == null ? 0 : windowTime.toMillis(),
                referenceRate, new DriftThresholds(pair(js, "--js-thresholds")[0], js[1],
                        pair(novelty, "--novelty-thresholds")[0], novelty[1],
                        pair(displacement, "--displacement-thresholds")[0], displacement[1]));
        ConceptSettings concepts = new ConceptSettings(kmeans, new OnlineSettings(decay, reseedRatio, seed), drift,
                bootstrap, batch, snapshotEvery, assigners);
        ConceptJobConfig defaults = ConceptJobConfig.defaults();
        ConceptJobConfig.Topics topics = defaults.topics();
        if (inputTopic != null) {
            topics = new ConceptJobConfig.Topics(inputTopic, topics.labels(), topics.centroids(), topics.drift(),
                    topics.deadLetters());
        }
        return defaults.withTopics(topics)
                .withIds(groupId, transactionalIdPrefix)
                .withConcepts(concepts)
                .withParallelism(parallelism)
                .withTransactionTimeout(transactionTimeout)
                .withCheckpointing(checkpointInterval,
                        checkpointDir == null ? defaults.checkpointDir() : uri(checkpointDir),
                        savepointDir == null ? defaults.savepointDir() : uri(savepointDir))
                .withInitFromSnapshot(initFromSnapshot)
                .withBounded(bounded);
    }

    /** A bare local path becomes a file:// URI; anything with a scheme is left for Flink to resolve. */
    private static String uri(String location) {
        return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") ? location : ConceptJobConfig.localUri(location);
    }

    private static double[] pair(double[] values, String option) {
        if (values.length != 2) {
            throw new IllegalArgumentException(option + " takes two values, WARN,ALERT");
        }
        return values;
    }
}
