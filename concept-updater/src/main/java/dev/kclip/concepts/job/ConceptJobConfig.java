package dev.kclip.concepts.job;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the concept-updater job is configured with. {@link #defaults()} gives the production defaults; the
 * CLI ({@code kclip concepts run}, the job jar's main) only parses options into one of these.
 *
 * @param topics the topics it reads and writes
 * @param groupId consumer group of the input source (offsets are committed on checkpoints, for monitoring; the
 *     checkpoint itself holds the positions); default {@code kclip-concepts}
 * @param transactionalIdPrefix prefix of the Kafka sinks' transactional ids; two jobs writing to one cluster need
 *     different prefixes; default {@code kclip-concepts}
 * @param transactionTimeout Kafka transaction timeout of the sinks: more than a checkpoint interval plus a restart,
 *     at most the broker's {@code transaction.max.timeout.ms}; default 15 min
 * @param concepts the algorithm and batching
 * @param parallelism parallelism of the input source and decoding (the model operator runs at 1, the parallel
 *     path's assigners at {@code concepts.assigners()}); default 1
 * @param checkpointInterval how often Flink checkpoints (and so how often outputs become visible to
 *     read_committed readers); default 10 s
 * @param checkpointDir where checkpoints go: any Flink file system URI (file://, s3://, hdfs://...); default
 *     {@code .kclip/concepts/checkpoints} under the working directory
 * @param savepointDir where the embedded runner's stop-with-savepoint writes; default
 *     {@code .kclip/concepts/savepoints}
 * @param resume whether the embedded runner restores the newest savepoint or retained checkpoint under the two
 *     directories on start (local directories only); default true
 * @param restoreFrom an explicit savepoint or checkpoint path to restore from, or null
 * @param initFromSnapshot start each teacher's model from its newest snapshot in the centroids topic instead of
 *     bootstrapping (restored state still wins); default false
 * @param bounded stop at the input's latest offsets as of the start (relabel a backlog, tests); default false
 * @param retainedCheckpoints how many checkpoints Flink keeps per run ({@code state.checkpoints.num-retained}), and
 *     how many checkpoints and how many savepoints the embedded runner leaves under the two local directories when
 *     it starts (older runs' included; {@link RecoveryPoints#prune}); more than one lets a restore fall back past
 *     a corrupt newest one; default 3
 */
public record ConceptJobConfig(Topics topics, String groupId, String transactionalIdPrefix,
        Duration transactionTimeout, ConceptSettings concepts, int parallelism, Duration checkpointInterval,
        String checkpointDir, String savepointDir, boolean resume, String restoreFrom, boolean initFromSnapshot,
        boolean bounded, int retainedCheckpoints) implements Serializable {

    /** Where checkpoints go by default, under the working directory. */
    public static final String DEFAULT_CHECKPOINT_DIR = ".kclip/concepts/checkpoints";
    /** Where savepoints go by default, under the working directory. */
    public static final String DEFAULT_SAVEPOINT_DIR = ".kclip/concepts/savepoints";
    /** Checkpoints (and savepoints) kept by default. */
    public static final int DEFAULT_RETAINED_CHECKPOINTS = 3;

    /** The topics the job reads and writes (defaults: the catalog's). */
    public record Topics(String input, String labels, String centroids, String drift, String deadLetters)
            implements Serializable {

        public static Topics catalog() {
            return new Topics(dev.kclip.schemas.Topics.TEACHER_EMBEDDINGS.name(),
                    dev.kclip.schemas.Topics.TRAIN_EXAMPLES.name(), dev.kclip.schemas.Topics.CENTROIDS.name(),
                    dev.kclip.schemas.Topics.DRIFT.name(), dev.kclip.schemas.Topics.DEAD_LETTERS.name());
        }
    }

    public ConceptJobConfig {
        if (topics == null || concepts == null) {
            throw new IllegalArgumentException("topics and concept settings are required");
        }
        if (groupId == null || groupId.isBlank() || transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            throw new IllegalArgumentException("group id and transactional id prefix must not be blank");
        }
        if (transactionTimeout == null || transactionTimeout.isNegative() || transactionTimeout.isZero()) {
            throw new IllegalArgumentException("transaction timeout must be positive");
        }
        if (checkpointInterval == null || checkpointInterval.toMillis() < 10) {
            throw new IllegalArgumentException("checkpoint interval must be at least 10 ms, not " + checkpointInterval);
        }
        if (transactionTimeout.compareTo(checkpointInterval) <= 0) {
            throw new IllegalArgumentException("transaction timeout " + transactionTimeout
                    + " must exceed the checkpoint interval " + checkpointInterval
                    + ", or transactions expire before their checkpoint commits them");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        if (checkpointDir == null || checkpointDir.isBlank() || savepointDir == null || savepointDir.isBlank()) {
            throw new IllegalArgumentException("checkpoint and savepoint directories are required");
        }
        if (retainedCheckpoints < 1) {
            throw new IllegalArgumentException("at least one checkpoint must be retained, not " + retainedCheckpoints);
        }
    }

    public static ConceptJobConfig defaults() {
        return new ConceptJobConfig(Topics.catalog(), "kclip-concepts", "kclip-concepts", Duration.ofMinutes(15),
                ConceptSettings.defaults(), 1, Duration.ofSeconds(10), localUri(DEFAULT_CHECKPOINT_DIR),
                localUri(DEFAULT_SAVEPOINT_DIR), true, null, false, false, DEFAULT_RETAINED_CHECKPOINTS);
    }

    /** A local directory as a file:// URI (relative paths against the working directory). */
    public static String localUri(String path) {
        return Path.of(path).toAbsolutePath().normalize().toUri().toString();
    }

    public ConceptJobConfig withTopics(Topics value) {
        return new ConceptJobConfig(value, groupId, transactionalIdPrefix, transactionTimeout, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withIds(String group, String transactionalPrefix) {
        return new ConceptJobConfig(topics, group, transactionalPrefix, transactionTimeout, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withConcepts(ConceptSettings value) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, value, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withParallelism(int value) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, concepts, value,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withCheckpointing(Duration interval, String checkpoints, String savepoints) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, concepts, parallelism,
                interval, checkpoints, savepoints, resume, restoreFrom, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withTransactionTimeout(Duration value) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, value, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withRestore(boolean resumeNewest, String explicitPath) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resumeNewest, explicitPath, initFromSnapshot, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withInitFromSnapshot(boolean value) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, value, bounded, retainedCheckpoints);
    }

    public ConceptJobConfig withRetainedCheckpoints(int value) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, bounded, value);
    }

    public ConceptJobConfig withBounded(boolean value) {
        return new ConceptJobConfig(topics, groupId, transactionalIdPrefix, transactionTimeout, concepts, parallelism,
                checkpointInterval, checkpointDir, savepointDir, resume, restoreFrom, initFromSnapshot, value, retainedCheckpoints);
    }
}
